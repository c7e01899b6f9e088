/**
 * Kopf's peering manifest (peering.yaml at the package's root: the KopfPeering and ClusterKopfPeering CRDs of
 * kopf.dev/v1 and the `default` peering objects, exactly as Kopf ships them). Printed or applied by
 * `kopf-ts peering-crds` (src/cli/peering.ts); applied by the tests and examples/06-peering.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the manifest is (the same place in the repository, in dist/ builds and in the npm package). */
export const PEERING_YAML_PATH = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../peering.yaml' : '../../../peering.yaml', import.meta.url),
);

/** The manifest's YAML text. */
export function peeringManifest(): string {
  return readFileSync(PEERING_YAML_PATH, 'utf8');
}
