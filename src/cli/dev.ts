/**
 * `kopf-ts dev [FILES…] [-m MODULE]… [--apply FILE]… [-n NS] [--name INSTANCE] [-v|-q] [--devtools …]`: the
 * developer's loop. Uses the local control plane that `kopf-ts cluster up --name INSTANCE` runs, or else starts
 * one of its own for this session (stopped when dev exits); applies the `--apply` manifests into NS (a CRD is
 * waited for until it is served), then runs the operator on NS until Ctrl-C, exactly as `kopf-ts run -n NS`.
 * Called by src/cli/main.ts (and by the `npm start` of a project made by `kopf-ts init`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  checkInstanceName,
  findInstance,
  startControlPlane,
  DEFAULT_INSTANCE,
  type ControlPlane,
  type InstanceState,
} from '../cluster/index.ts';
import { KubeClient } from '../kube/client.ts';
import { loadConnection } from '../kube/config.ts';
import { NAMESPACE_RESOURCE } from '../kube/discovery.ts';
import { ApiNotFoundError } from '../kube/errors.ts';
import { applyManifests } from '../kube/manifests.ts';
import { createObject, getObject } from '../kube/objects.ts';
import type { LogFormat } from '../observe/log.ts';
import { serveOperator } from './run.ts';

/** The options of `kopf-ts dev`, as commander parses them. */
export interface DevCliOptions {
  module?: string[];
  apply?: string[];
  namespace?: string;
  name?: string;
  verbose?: boolean;
  quiet?: boolean;
  logFormat?: LogFormat;
  devtools?: string | boolean;
  devtoolsAllowRemote?: boolean;
}

/** How long to wait for a `cluster up` that is still starting. */
const STARTING_TIMEOUT_MS = 120_000;

/** Runs the developer's loop until Ctrl-C, then stops what it started and exits the process. */
export async function devCommand(paths: string[], options: DevCliOptions): Promise<void> {
  const name = options.name ?? DEFAULT_INSTANCE;
  checkInstanceName(name);
  const namespace = options.namespace ?? 'default';
  const manifests = (options.apply ?? []).map((file) => ({
    file,
    text: readFileSync(resolve(file), 'utf8'),
  }));

  // Until the operator runs, Ctrl-C stops the setup (and the plane started for it); then it stops the operator.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let plane: ControlPlane | null = null;
  let code = 0;
  try {
    let kubeconfigPath: string;
    const instance = await runningInstance(name);
    if (instance) {
      kubeconfigPath = instance.kubeconfigPath;
      console.log(
        `Using the control plane "${name}" of \`kopf-ts cluster up\` at ${instance.server} (kubeconfig ${kubeconfigPath}); it keeps running after dev.`,
      );
    } else {
      console.log(
        `No control plane "${name}" is up (\`kopf-ts cluster up${name === DEFAULT_INSTANCE ? '' : ` --name ${name}`}\` in another terminal keeps one across runs): starting one for this session…`,
      );
      plane = await startControlPlane({ progress: (line) => console.error(line) });
      kubeconfigPath = plane.kubeconfigPath;
      console.log(
        plane.existing
          ? `USE_EXISTING_CLUSTER=true: using the existing cluster (kubeconfig ${kubeconfigPath}).`
          : `Control plane ready in ${plane.startedInMs} ms at ${plane.server} (pids: etcd ${plane.pids[0]}, kube-apiserver ${plane.pids[1]}); kubeconfig ${kubeconfigPath}; stopped when dev exits.`,
      );
    }
    if (!stop.signal.aborted) await ensureNamespace(kubeconfigPath, namespace);
    for (const { file, text } of manifests) {
      if (stop.signal.aborted) break;
      const applied = await applyManifests(kubeconfigPath, text, namespace);
      const what = applied.map((b) => `${String(b.kind).toLowerCase()}/${b.metadata.name ?? ''}`).join(', ');
      console.log(`Applied ${file}: ${what || 'nothing'}`);
    }
    if (!stop.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await serveOperator(
        paths,
        {
          module: options.module ?? [],
          namespace: [namespace],
          kubeconfig: kubeconfigPath,
          ...(options.verbose ? { verbose: true } : {}),
          ...(options.quiet ? { quiet: true } : {}),
          ...(options.logFormat ? { logFormat: options.logFormat } : {}),
          ...(options.devtools ? { devtools: options.devtools } : {}),
          ...(options.devtoolsAllowRemote ? { devtoolsAllowRemote: true } : {}),
        },
        stop.signal,
      );
    }
  } catch (err) {
    console.error(`kopf-ts: ${err instanceof Error ? err.message : String(err)}`);
    code = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (plane && !plane.existing) {
      console.log('Stopping the control plane of this session…');
      await plane.stop();
      console.log('The control plane is stopped.');
    }
  }
  process.exit(code);
}

/** The live `cluster up` of that name (waiting while it starts), or null when none is up. */
async function runningInstance(name: string): Promise<InstanceState | null> {
  const deadline = Date.now() + STARTING_TIMEOUT_MS;
  for (;;) {
    const state = findInstance(name);
    if (!state || state.server) return state;
    if (Date.now() > deadline) {
      throw new Error(
        `the control plane "${name}" (pid ${state.pid}) is still starting after ${STARTING_TIMEOUT_MS / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates the namespace unless it exists. */
async function ensureNamespace(kubeconfigPath: string, namespace: string): Promise<void> {
  const client = new KubeClient(loadConnection({ kubeconfig: kubeconfigPath }));
  try {
    await getObject(client, NAMESPACE_RESOURCE, { name: namespace });
  } catch (err) {
    if (!(err instanceof ApiNotFoundError)) throw err;
    await createObject(client, NAMESPACE_RESOURCE, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    console.log(`Created the namespace ${namespace}.`);
  } finally {
    await client.close();
  }
}
