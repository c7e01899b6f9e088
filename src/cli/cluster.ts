/**
 * `kopf-ts cluster up | down | build`: a real local control plane for development, with no kind, minikube
 * or Docker. Called by src/cli/main.ts. `up` runs until Ctrl-C (or `cluster down`) and then stops
 * everything it started; its state file lets `down` find it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cacheRoot, findBinaries, startControlPlane } from '../cluster/index.ts';

/** Where a running `cluster up` records itself. */
export function stateFile(): string {
  return join(dirname(cacheRoot()), 'cluster-up.json');
}

interface UpState {
  pid: number;
  kubeconfigPath: string;
  server: string;
}

/** `kopf-ts cluster up [--kubeconfig FILE]` */
export async function clusterUp(options: { kubeconfig?: string }): Promise<void> {
  const existing = readState();
  if (existing && isAlive(existing.pid)) {
    throw new Error(`a control plane is already up (pid ${existing.pid}, kubeconfig ${existing.kubeconfigPath}); run \`kopf-ts cluster down\` first`);
  }
  const kubeconfigPath = resolve(options.kubeconfig ?? join(dirname(cacheRoot()), 'kubeconfig'));
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  const plane = await startControlPlane({ kubeconfigPath, progress: (line) => console.error(line) });
  if (plane.existing) {
    console.log(`USE_EXISTING_CLUSTER=true: nothing started; kubeconfig ${plane.kubeconfigPath}`);
    return;
  }
  mkdirSync(dirname(stateFile()), { recursive: true });
  writeFileSync(stateFile(), JSON.stringify({ pid: process.pid, kubeconfigPath, server: plane.server } satisfies UpState));
  console.log(`Control plane (Kubernetes ${plane.binaries ? 'from ' + plane.binaries.source : ''}) ready in ${plane.startedInMs} ms at ${plane.server}`);
  console.log(`kubeconfig: ${kubeconfigPath}`);
  console.log(`export KUBECONFIG=${kubeconfigPath}`);
  console.log('Press Ctrl-C to stop it.');
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      console.error(`\n${signal}: stopping the control plane…`);
      void plane.stop().then(() => {
        rmSync(stateFile(), { force: true });
        console.error('stopped.');
        done();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGHUP', () => stop('SIGHUP'));
  });
}

function readState(): UpState | null {
  if (!existsSync(stateFile())) return null;
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as UpState;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `kopf-ts cluster down`: stops a running `cluster up` and waits until it has exited. */
export async function clusterDown(): Promise<void> {
  const state = readState();
  if (!state || !isAlive(state.pid)) {
    rmSync(stateFile(), { force: true });
    console.log('No control plane is up.');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(state.pid)) throw new Error(`pid ${state.pid} did not stop within 30 s`);
  console.log(`Stopped the control plane at ${state.server}.`);
}

/** `kopf-ts cluster build`: finds or builds the binaries and prints where they are. */
export async function clusterBuild(): Promise<void> {
  const found = await findBinaries({ progress: (line) => console.error(line) });
  console.log(`kube-apiserver: ${found.kubeApiserver}\netcd: ${found.etcd}\n(${found.source})`);
}
