/**
 * Running the real `kubectl` (/usr/bin/kubectl on this machine, else on PATH) against the test cluster, with
 * a manifest on stdin: its exit code, stdout and stderr (where it prints the API server's `Warning:` headers
 * and admission denials). Used by the admission tests and the admission benchmark.
 */
import { spawn } from 'node:child_process';

/** What kubectl printed and how it exited. */
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kubectl --kubeconfig KUBECONFIG ...args`, writing `stdin` to it. Never rejects for a non-zero exit. */
export async function kubectl(
  kubeconfig: string,
  args: readonly string[],
  stdin?: string,
): Promise<KubectlResult> {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout, stderr };
}

/** A KopfExample manifest with this name, `spec.field` and labels (in the namespace kubectl is given). */
export function kexYaml(name: string, field: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`);
  return [
    'apiVersion: kopf.dev/v1',
    'kind: KopfExample',
    'metadata:',
    `  name: ${name}`,
    ...(labelLines.length ? ['  labels:', ...labelLines] : []),
    'spec:',
    `  field: ${JSON.stringify(field)}`,
    '',
  ].join('\n');
}
