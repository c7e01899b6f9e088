/**
 * `kopf-ts cluster up | down | list | build`: real local control planes for development, with no kind,
 * minikube or Docker. Called by src/cli/main.ts. `up` runs until Ctrl-C (or `cluster down`) and then stops
 * everything it started. Several can run at once, each under its own --name (default `default`) with its
 * own state file, ports, data directory and kubeconfig (src/cluster/instances.ts).
 *
 * A kubeconfig that exists already is never written over nor deleted: `up --kubeconfig FILE` refuses an
 * existing FILE instead of merging into it (see docs/control-plane.md for why).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  claimInstance,
  checkInstanceName,
  defaultKubeconfigPath,
  fileIdentity,
  findBinaries,
  findInstance,
  isAlive,
  listInstances,
  makePrivateDir,
  startControlPlane,
  DEFAULT_INSTANCE,
  type ControlPlane,
} from '../cluster/index.ts';

/** `kopf-ts cluster up [--name NAME] [--kubeconfig FILE]` */
export async function clusterUp(options: { name?: string; kubeconfig?: string; featureGates?: string[] }): Promise<void> {
  const name = options.name ?? DEFAULT_INSTANCE;
  checkInstanceName(name);
  const kubeconfigPath = resolve(options.kubeconfig ?? defaultKubeconfigPath(name));
  const claim = claimInstance(name, kubeconfigPath); // refuses while another `up` of this name lives
  let plane: ControlPlane | null = null;
  let signalled: string | null = null;
  let wake = (): void => {};
  const onSignal = (signal: string): void => {
    signalled ??= signal;
    wake();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  try {
    if (existsSync(kubeconfigPath)) {
      throw new Error(
        `${kubeconfigPath} already exists; \`cluster up\` never overwrites (nor deletes) a file it did not write. ` +
          `Give a path that does not exist yet${options.kubeconfig ? ` (or drop --kubeconfig: ${defaultKubeconfigPath(name)})` : ''}, ` +
          `then use both files at once: export KUBECONFIG=NEW_FILE:${kubeconfigPath}`,
      );
    }
    makePrivateDir(dirname(kubeconfigPath));
    plane = await startControlPlane({
      kubeconfigPath,
      progress: (line) => console.error(line),
      ...(options.featureGates?.length ? { featureGates: options.featureGates } : {}),
    });
    if (plane.existing) {
      console.log(`USE_EXISTING_CLUSTER=true: nothing started; kubeconfig ${plane.kubeconfigPath}`);
      return;
    }
    claim.update({
      server: plane.server,
      pids: plane.pids,
      dir: plane.dir,
      kubeconfigId: fileIdentity(kubeconfigPath),
    });
    if (!signalled) {
      console.log(
        `Control plane "${name}" (${plane.binaries?.source ?? ''} binaries) ready in ${plane.startedInMs} ms at ${plane.server}`,
      );
      console.log(
        `pids: etcd ${plane.pids[0]}, kube-apiserver ${plane.pids[1]}; this process ${process.pid}`,
      );
      console.log(`kubeconfig: ${kubeconfigPath}`);
      console.log(`export KUBECONFIG=${kubeconfigPath}`);
      console.log(
        `Press Ctrl-C to stop it (or run \`kopf-ts cluster down${name === DEFAULT_INSTANCE ? '' : ` --name ${name}`}\`).`,
      );
      await new Promise<void>((done) => {
        wake = done;
        if (signalled) done();
      });
    }
    console.error(`\n${signalled}: stopping the control plane "${name}"…`);
  } finally {
    await plane?.stop();
    claim.release();
    for (const signal of signals) process.off(signal, onSignal);
    if (plane && !plane.existing) console.error('stopped.');
  }
}

/** `kopf-ts cluster down [--name NAME]`: stops that `cluster up` (only that one) and waits until it has exited. */
export async function clusterDown(options: { name?: string }): Promise<void> {
  const name = options.name ?? DEFAULT_INSTANCE;
  checkInstanceName(name);
  const state = findInstance(name);
  if (!state) {
    console.log(`No control plane named "${name}" is up.`);
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(state.pid)) throw new Error(`pid ${state.pid} did not stop within 30 s`);
  console.log(`Stopped the control plane "${name}"${state.server ? ` at ${state.server}` : ''}.`);
}

/** `kopf-ts cluster list [--json]`: the running control planes (a dead one's leftovers are cleaned). */
export function clusterList(options: { json?: boolean }): void {
  const { live, cleaned } = listInstances();
  for (const name of cleaned) console.error(`cleaned the state of "${name}" (its process is gone)`);
  if (options.json) {
    console.log(JSON.stringify(live, null, 2));
    return;
  }
  if (!live.length) {
    console.log('No control plane is up.');
    return;
  }
  const rows = [
    ['NAME', 'PID', 'SERVER', 'KUBECONFIG'],
    ...live.map((s) => [s.name, String(s.pid), s.server || '(starting)', s.kubeconfigPath]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

/** `kopf-ts cluster build`: finds or builds the binaries and prints where they are. */
export async function clusterBuild(): Promise<void> {
  const found = await findBinaries({ progress: (line) => console.error(line) });
  console.log(`kube-apiserver: ${found.kubeApiserver}\netcd: ${found.etcd}\n(${found.source})`);
}
