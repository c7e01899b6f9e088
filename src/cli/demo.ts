/**
 * `kopf-ts demo` (`npm run demo`): the newcomer's first run. Brings up the local control plane (or uses the
 * existing cluster with USE_EXISTING_CLUSTER=true), applies examples/crd.yaml and examples/obj.yaml.
 * Called by src/cli/main.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../cluster/index.ts';
import { applyManifests } from './manifests.ts';

const examples = new URL('../../examples/', import.meta.url);

/** Runs the demo; resolves when it is over (or, with `keep`, after Ctrl-C). */
export async function demo(_options: { keep?: boolean }): Promise<void> {
  console.log('kopf-ts demo: starting the local control plane…');
  const plane = await startControlPlane({ progress: (line) => console.error(line) });
  try {
    console.log(plane.existing ? `Using the existing cluster (${plane.kubeconfigPath}).` : `Control plane ready in ${plane.startedInMs} ms at ${plane.server}.`);
    await applyManifests(plane.kubeconfigPath, readFileSync(fileURLToPath(new URL('crd.yaml', examples)), 'utf8'), 'default');
    console.log('Applied examples/crd.yaml (KopfExample, kopf.dev/v1).');
    await applyManifests(plane.kubeconfigPath, readFileSync(fileURLToPath(new URL('obj.yaml', examples)), 'utf8'), 'default');
    console.log('Applied examples/obj.yaml (kopf-example-1 in namespace default).');
    console.log('The engine that runs examples/01-minimal is not built yet: the demo stops here.');
  } finally {
    await plane.stop();
  }
}
