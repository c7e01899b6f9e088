/**
 * `kopf-ts freeze` and `kopf-ts resume` (Kopf's `touch_command`): write one peer record — a priority and a
 * lifetime for freeze, its removal for resume — into every matching peering object: the ClusterKopfPeering
 * (`-A`, or neither `-n` nor `-A`) or the KopfPeering in each namespace given by `-n` (globs match the existing
 * namespaces). Operators of a lower priority on that peering pause until the record expires or is removed.
 * Called by src/cli/peering.ts.
 */
import type { KubeClient } from '../kube/client.ts';
import { discoverResources, NAMESPACE_RESOURCE } from '../kube/discovery.ts';
import { listObjects } from '../kube/objects.ts';
import { matchAnyNamespace } from '../model/namespaces.ts';
import { describePlace, peeringResources, touch, type PeeringPlace } from './touch.ts';

/** What to write where. */
export interface TouchCommandOptions {
  client: KubeClient;
  /** The peering object's name. */
  peering: string;
  identity: string;
  priority: number;
  /** Seconds; 0 removes the record. */
  lifetime: number;
  /** Namespace patterns (KopfPeering in each); empty: the ClusterKopfPeering. */
  namespaces: string[];
}

/** Writes the record into every matching peering object; returns where it was written. Fails when there is none. */
export async function touchCommand(options: TouchCommandOptions): Promise<string[]> {
  const clusterwide = options.namespaces.length === 0;
  const resources = peeringResources(
    await discoverResources(options.client, { groups: ['kopf.dev', 'zalando.org'] }),
    clusterwide,
  );
  if (!resources.length) {
    throw new Error(
      `Cannot find the peering resource (${clusterwide ? 'clusterkopfpeerings' : 'kopfpeerings'}.kopf.dev): apply the peering CRDs with \`kopf-ts peering-crds --apply\`.`,
    );
  }
  let namespaces: (string | undefined)[] = [undefined];
  if (!clusterwide) {
    const plain = options.namespaces.every((p) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p));
    namespaces = plain
      ? options.namespaces
      : (await listObjects(options.client, NAMESPACE_RESOURCE)).items
          .map((ns) => ns.metadata.name ?? '')
          .filter((name) => matchAnyNamespace(name, options.namespaces));
  }
  const written: string[] = [];
  const missing: string[] = [];
  for (const resource of resources) {
    for (const namespace of namespaces) {
      const place: PeeringPlace = { resource, namespace, name: options.peering };
      const found = await touch(options.client, place, options.identity, options.priority, options.lifetime);
      (found ? written : missing).push(describePlace(place));
    }
  }
  if (!written.length)
    throw new Error(
      `The peering object ${missing.join(', ')} does not exist (it is not created by operators: apply it, e.g. with \`kopf-ts peering-crds --apply\`).`,
    );
  return written;
}
