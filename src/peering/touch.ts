/**
 * Writing to a peering object: our keep-alive record (`touch`), its removal (lifetime 0), and the removal
 * of dead peers' records — merge patches of `status.<identity>`, through the `/status` subresource when the
 * CRD has one (Kopf's does not). Also which discovered resources are the peering resources. Used by
 * src/peering/peering.ts (the running operator) and src/cli/freeze.ts (`freeze`, `resume`).
 */
import type { KubeClient } from '../kube/client.ts';
import { ApiNotFoundError } from '../kube/errors.ts';
import { patchObject } from '../kube/objects.ts';
import type { Resource } from '../model/resource.ts';
import { ownRecord } from './peers.ts';

/** The groups whose v1 serves Kopf's peering resources (`zalando.org` is Kopf's legacy group). */
const PEERING_GROUPS = ['kopf.dev', 'zalando.org'];

/** The peering resources among the discovered ones: ClusterKopfPeering (`clusterwide`) or KopfPeering. */
export function peeringResources(resources: Iterable<Resource>, clusterwide: boolean): Resource[] {
  const plural = clusterwide ? 'clusterkopfpeerings' : 'kopfpeerings';
  return [...resources].filter(
    (r) => PEERING_GROUPS.includes(r.group) && r.version === 'v1' && r.plural === plural,
  );
}

/** Where one peering object is: its resource, namespace (none for ClusterKopfPeering) and name. */
export interface PeeringPlace {
  resource: Resource;
  namespace: string | undefined;
  name: string;
}

/** Where a peering object is, for the logs: `'default' in 'ns1'` or `'default' cluster-wide`. */
export function describePlace(place: PeeringPlace): string {
  return `'${place.name}' ${place.namespace ? `in '${place.namespace}'` : 'cluster-wide'}`;
}

/** Merge-patches `status` of the peering object; false when the object does not exist (404). */
export async function patchPeers(
  client: KubeClient,
  place: PeeringPlace,
  status: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await patchObject(
      client,
      place.resource,
      { namespace: place.namespace, name: place.name },
      { status },
      {
        type: 'merge',
        subresource: place.resource.subresources.includes('status') ? 'status' : undefined,
        ...(signal ? { signal } : {}),
      },
    );
    return true;
  } catch (err) {
    if (err instanceof ApiNotFoundError) return false;
    throw err;
  }
}

/** Writes our record (priority, lifetime, lastseen = now), or removes it when `lifetime` is 0; false: no such object. */
export async function touch(
  client: KubeClient,
  place: PeeringPlace,
  identity: string,
  priority: number,
  lifetime: number,
  signal?: AbortSignal,
  sharding?: string,
): Promise<boolean> {
  return await patchPeers(
    client,
    place,
    { [identity]: ownRecord(priority, lifetime, Date.now(), sharding) },
    signal,
  );
}
