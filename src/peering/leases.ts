/**
 * The Lease objects (coordination.k8s.io/v1) of sharding: acquiring one (creating it, or taking it when it is
 * free, ours, or expired — an update guarded by its resourceVersion, so two replicas never both win), renewing
 * it, releasing it (holder cleared, as client-go does on a voluntary release), and listing a sharding group's
 * leases. Expiry is judged by the holder's `renewTime` + `leaseDurationSeconds` against our clock (the replicas'
 * clocks must agree within the margin between the renew deadline and the lease duration). Used by
 * src/peering/sharding.ts.
 */
import type { KubeClient } from '../kube/client.ts';
import { ApiConflictError, ApiNotFoundError } from '../kube/errors.ts';
import { listObjects } from '../kube/objects.ts';
import type { Resource } from '../model/resource.ts';

/** The Lease resource. */
export const LEASE_RESOURCE: Resource = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  singular: 'lease',
  shortcuts: [],
  categories: [],
  subresources: [],
  namespaced: true,
  preferred: true,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
};

/** A Lease as read from the API. */
export interface LeaseBody {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number | null;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number | null;
  };
}

/** Kubernetes' MicroTime: `2026-01-02T03:04:05.678000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Whether nobody holds the lease now: no holder, or the holder's last renewal is older than the duration. */
export function isFree(lease: LeaseBody, now: number): boolean {
  const holder = lease.spec?.holderIdentity;
  if (!holder) return true;
  const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '');
  const duration = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  return !Number.isFinite(renewed) || renewed + duration <= now;
}

/** The Lease API of one namespace, remembering the last body we wrote of each (renewals need no GET). */
export class LeaseClient {
  readonly #client: KubeClient;
  readonly namespace: string;
  readonly #identity: string;
  readonly #known = new Map<string, LeaseBody>();

  constructor(client: KubeClient, namespace: string, identity: string) {
    this.#client = client;
    this.namespace = namespace;
    this.#identity = identity;
  }

  #path(name?: string): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  async #get(name: string): Promise<LeaseBody | null> {
    try {
      return await this.#client.request<LeaseBody>({
        method: 'GET',
        path: this.#path(name),
        verb: 'get',
        resource: 'leases',
      });
    } catch (err) {
      if (err instanceof ApiNotFoundError) return null;
      throw err;
    }
  }

  async #put(lease: LeaseBody): Promise<LeaseBody> {
    const body = await this.#client.request<LeaseBody>({
      method: 'PUT',
      path: this.#path(lease.metadata.name),
      body: lease,
      verb: 'update',
      resource: 'leases',
      noRetry: true,
    });
    this.#known.set(lease.metadata.name, body);
    return body;
  }

  /** Takes the lease if it is free, expired or ours; false when another replica holds it (or won the race). */
  async acquire(name: string, durationSeconds: number, labels: Record<string, string>): Promise<boolean> {
    const now = Date.now();
    const current = await this.#get(name);
    const spec = {
      holderIdentity: this.#identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
    };
    try {
      if (!current) {
        const body = await this.#client.request<LeaseBody>({
          method: 'POST',
          path: this.#path(),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, labels },
            spec: { ...spec, leaseTransitions: 0 },
          },
          verb: 'create',
          resource: 'leases',
          noRetry: true,
        });
        this.#known.set(name, body);
        return true;
      }
      const ours = current.spec?.holderIdentity === this.#identity;
      if (!ours && !isFree(current, now)) return false;
      const transitions = (current.spec?.leaseTransitions ?? 0) + (ours ? 0 : 1);
      await this.#put({
        ...current,
        metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...labels } },
        spec: { ...current.spec, ...spec, leaseTransitions: transitions },
      });
      return true;
    } catch (err) {
      if (err instanceof ApiConflictError) return false;
      throw err;
    }
  }

  /** Renews our lease; throws when it is not ours any more (or the API fails). */
  async renew(name: string): Promise<void> {
    let lease = this.#known.get(name) ?? (await this.#get(name));
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!lease || lease.spec?.holderIdentity !== this.#identity)
        throw new Error(`the lease ${name} is held by ${lease?.spec?.holderIdentity ?? 'nobody'} now`);
      try {
        await this.#put({ ...lease, spec: { ...lease.spec, renewTime: microTime(Date.now()) } });
        return;
      } catch (err) {
        if (!(err instanceof ApiConflictError)) throw err;
        lease = await this.#get(name);
      }
    }
    throw new Error(`the lease ${name} keeps changing under us`);
  }

  /** Clears our holder identity (a voluntary hand-over); nothing when it is not ours. */
  async release(name: string): Promise<void> {
    const lease = this.#known.get(name) ?? (await this.#get(name));
    this.#known.delete(name);
    if (!lease || lease.spec?.holderIdentity !== this.#identity) return;
    try {
      await this.#put({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          renewTime: microTime(Date.now()),
        },
      });
    } catch (err) {
      if (!(err instanceof ApiConflictError)) throw err;
    }
    this.#known.delete(name);
  }

  /** Whether the apiserver applies `selector` to a LIST of Leases (one request, one item at most). */
  async probeSharding(selector: string): Promise<boolean> {
    const page = await this.#client.request<{ metadata?: { shardInfo?: unknown } }>({
      method: 'GET',
      path: this.#path(),
      query: { limit: 1, shardSelector: selector },
      verb: 'list',
      resource: 'leases',
    });
    return page.metadata?.shardInfo !== undefined;
  }

  /** The leases with these labels. */
  async list(labelSelector: string): Promise<LeaseBody[]> {
    return (await listObjects(this.#client, LEASE_RESOURCE, { namespace: this.namespace, labelSelector }))
      .items as unknown as LeaseBody[];
  }
}
