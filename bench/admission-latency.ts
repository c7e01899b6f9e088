/**
 * Benchmark (prints figures; not a test): the latency an admission webhook adds to API writes. Against a real
 * local control plane, N sequential server-side dry-run creates of KopfExamples, timed end to end, while kopf-ts
 * serves one validating handler (bench/kopf-ts/admission.ts, run as `kopf-ts run` would; async, then a plain
 * function on the worker pool). The handler's `labels` filter is its webhook's objectSelector, so the API server
 * calls it only for labelled objects: labelled and unlabelled creates alternate, and each pair is measured
 * under the same machine load (this machine is shared). Two clients: the real `kubectl create --dry-run=server`
 * (a process per call, as the issue asks) and a raw HTTPS POST with `?dryRun=All` (where the webhook's own cost
 * shows). Prints p50/p90/p99/max in ms, and the load average.
 * Run: node --import tsx bench/admission-latency.ts [--n 500]
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../src/testing.ts';
import { rawRequest, testCluster } from '../test/helpers/cluster.ts';
import { kexYaml, kubectl } from '../test/helpers/kubectl.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const n = arg('n', 500);
const OPERATOR = fileURLToPath(new URL('./kopf-ts/admission.ts', import.meta.url));
const LABELS = { bench: 'yes' };

const cluster = await testCluster('bench-admission');
const ns = cluster.namespace;
const managed = `${ns}.bench.kopf.dev`;

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return [0.5, 0.9, 0.99].map((q) => at(q).toFixed(1)).join(' / ') + ` / ${sorted.at(-1)!.toFixed(1)}`;
}

/** One dry-run create by kubectl; its wall time in ms. */
async function viaKubectl(name: string, labels: Record<string, string>): Promise<number> {
  const started = performance.now();
  const r = await kubectl(
    cluster.kubeconfigPath,
    ['create', '-n', ns, '--dry-run=server', '-o', 'name', '-f', '-'],
    kexYaml(name, 'ok', labels),
  );
  const ms = performance.now() - started;
  if (r.code !== 0) throw new Error(`kubectl failed: ${r.stderr}`);
  return ms;
}

/** One dry-run create by a raw POST; its time in ms. */
async function viaRaw(name: string, labels: Record<string, string>): Promise<number> {
  const body = {
    apiVersion: 'kopf.dev/v1',
    kind: 'KopfExample',
    metadata: { name, labels },
    spec: { field: 'ok' },
  };
  const started = performance.now();
  const r = await rawRequest(
    cluster.kc,
    'POST',
    `/apis/kopf.dev/v1/namespaces/${ns}/kopfexamples?dryRun=All`,
    body,
  );
  const ms = performance.now() - started;
  if (r.status !== 201) throw new Error(`POST failed: ${r.status} ${JSON.stringify(r.json)}`);
  return ms;
}

/** N creates of each kind, alternating: through the webhook, and not. */
async function paired(
  label: string,
  client: (name: string, labels: Record<string, string>) => Promise<number>,
  what: string,
): Promise<void> {
  const withHook: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < n; i++) {
    withHook.push(await client(`w-${i}`, LABELS));
    without.push(await client(`n-${i}`, {}));
  }
  console.log(`| ${label} | ${what} | ${percentiles(without)} | ${percentiles(withHook)} |`);
}

async function withOperator(label: string, plain: boolean): Promise<void> {
  const runner = new KopfRunner(['run', '--standalone', '-q', '-n', ns, OPERATOR], {
    env: {
      ...process.env,
      // The repository's sources, as the tests run them (no build needed).
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=kopf-ts-source`.trim(),
      KUBECONFIG: cluster.kubeconfigPath,
      BENCH_ADMISSION_MANAGED: managed,
      BENCH_ADMISSION_PLAIN: plain ? '1' : '0',
    },
  }).start();
  try {
    // Ready when the API server calls the webhook: a forbidden labelled object is refused.
    for (let i = 0; ; i++) {
      const r = await kubectl(
        cluster.kubeconfigPath,
        ['create', '-n', ns, '--dry-run=server', '-f', '-'],
        kexYaml('probe', 'forbidden', LABELS),
      );
      if (r.code !== 0 && r.stderr.includes('denied the request')) break;
      if (i > 600 || (runner.exitCode !== undefined && runner.exitCode !== null))
        throw new Error(`the webhook never answered:\n${runner.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let i = 0; i < 20; i++) await viaRaw(`warm-${i}`, LABELS); // connections, caches, the pool's thread
    await paired(label, viaRaw, 'raw POST ?dryRun=All');
    await paired(label, viaKubectl, 'kubectl create --dry-run=server');
    console.log(
      `<!-- load average after ${label}: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} -->`,
    );
  } finally {
    await runner.stop();
    await kubectl(cluster.kubeconfigPath, [
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      managed,
      '--ignore-not-found',
    ]);
  }
}

console.log(
  `${n} sequential dry-run creates of each kind, alternating; latency in ms, p50 / p90 / p99 / max\n`,
);
console.log('| validating handler | client | not reviewed (no webhook called) | reviewed (webhook called) |');
console.log('|---|---|---|---|');
try {
  await withOperator('async', false);
  await withOperator('plain (on the pool)', true);
} finally {
  await cluster.close();
}
