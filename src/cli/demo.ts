/**
 * `kopf-ts demo` (`npm run demo`): the newcomer's first run. Brings up the local control plane (or uses the
 * existing cluster with USE_EXISTING_CLUSTER=true), applies examples/crd.yaml, starts the operator of
 * examples/01-minimal, applies examples/obj.yaml, waits until the object is handled, prints its status,
 * and stops everything (or keeps running with --keep until Ctrl-C). Called by src/cli/main.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../cluster/index.ts';
import { runOperator } from '../engine/operator.ts';
import { importOperatorFile } from '../execution/operator-files.ts';
import { KubeClient } from '../kube/client.ts';
import { loadConnection } from '../kube/config.ts';
import { applyManifests } from '../kube/manifests.ts';
import { getObject } from '../kube/objects.ts';
import { createRootLogger } from '../observe/log.ts';

// This file is src/cli/demo.ts in a checkout, dist/src/cli/demo.js in the package (which ships the three files used).
const examples = new URL(import.meta.url.endsWith('.ts') ? '../../examples/' : '../../../examples/', import.meta.url);
const KEX = { group: 'kopf.dev', version: 'v1', plural: 'kopfexamples', namespaced: true } as const;

/** Runs the demo; resolves when it is over (or, with `keep`, after Ctrl-C). */
export async function demo(options: { keep?: boolean }): Promise<void> {
  console.log('kopf-ts demo: starting the local control plane…');
  const plane = await startControlPlane({ progress: (line) => console.error(line) });
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(plane.existing ? `Using the existing cluster (${plane.kubeconfigPath}).` : `Control plane ready in ${plane.startedInMs} ms at ${plane.server}.`);
    console.log(`(kubeconfig: ${plane.kubeconfigPath})`);
    await applyManifests(plane.kubeconfigPath, readFileSync(fileURLToPath(new URL('crd.yaml', examples)), 'utf8'), 'default');
    console.log('Applied examples/crd.yaml (KopfExample, kopf.dev/v1).');

    const operatorUrl = new URL('01-minimal/operator.ts', examples).href;
    await importOperatorFile(operatorUrl);
    console.log('Running examples/01-minimal/operator.ts in namespace default:');
    const running = runOperator({
      kubeconfig: plane.kubeconfigPath,
      namespaces: ['default'],
      clusterwide: false,
      moduleUrls: [operatorUrl],
      signal: stop.signal,
      logger: createRootLogger({ format: 'full', level: 'info', destination: process.stdout }),
    });

    await applyManifests(plane.kubeconfigPath, readFileSync(fileURLToPath(new URL('obj.yaml', examples)), 'utf8'), 'default');
    console.log('Applied examples/obj.yaml (kopf-example-1 in namespace default).');

    const client = new KubeClient(loadConnection({ kubeconfig: plane.kubeconfigPath }));
    const deadline = Date.now() + 60_000;
    let status: unknown;
    while (Date.now() < deadline && !stop.signal.aborted) {
      const obj = await getObject(client, KEX, { namespace: 'default', name: 'kopf-example-1' });
      status = obj.status?.create_fn;
      if (status) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await client.close();
    if (!status) throw new Error('the object was not handled within 60 s');
    console.log(`\nHandled: kopf-example-1 has status.create_fn = ${JSON.stringify(status)}`);
    if (options.keep) {
      console.log(`The operator keeps running; try: KUBECONFIG=${plane.kubeconfigPath} kubectl get kex -o yaml. Ctrl-C stops everything.`);
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    stop.abort();
    await running;
  } finally {
    stop.abort();
    await plane.stop();
    console.log('Demo finished: the control plane is stopped.');
  }
}
