/**
 * Scale-out: replicas of one operator share its objects by shards (`--shards S`). Each object belongs to the
 * shard of its uid (src/peering/shards.ts); each shard is a Lease held by at most one replica, each held Lease
 * an actor of machines/lease.ts. Every replica also holds a member Lease of its own, so the replicas see how
 * many they are (N) and take about S/N shards each: a replica over its share hands shards over voluntarily (it
 * stops handling their objects first, then clears the Lease), one under its share takes free or expired ones.
 * A dead replica's Leases expire after the lease duration and the others take them; a holder that cannot renew
 * stops handling at the renew deadline, before its Lease can expire. `--shards 1` is leader election.
 *
 * It is an Ownership (src/engine/ownership.ts) that owns the objects of the held shards; the dispatcher parks
 * the rest (client-side sharding), and with the apiserver's shardSelector the watches ask only for the held
 * shards ({@link Sharding.selector}). Created by src/engine/operator.ts through {@link startSharding}.
 */
import { createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { isHeld, leaseMachine, type LeaseActor, type LeaseInput } from '../../machines/lease.ts';
import type { KubeClient } from '../kube/client.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { Logger } from '../observe/log.ts';
import { isFree, LeaseClient } from './leases.ts';
import { fnv1a64, shardOf, shardSelector } from './shards.ts';

/** The labels of a sharding group's Leases. */
const GROUP_LABEL = 'sharding.kopf-ts.dev/group';
const ROLE_LABEL = 'sharding.kopf-ts.dev/role';
const SHARD_LABEL = 'sharding.kopf-ts.dev/shard';

/** Options of {@link startSharding}. */
export interface ShardingOptions {
  client: KubeClient;
  settings: OperatorSettings;
  /** This replica's identity (the holder identity of its Leases). */
  identity: string;
  logger: Logger;
  /** Where the Leases live. */
  namespace: string;
  /** Observes the lease actors (devtools), if set. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
}

interface Held {
  actor: LeaseActor;
  /** Being handed over: not owned any more, released once its reactions had their time. */
  handingOver: boolean;
}

/** Checks the sharding settings; throws a clear error for impossible ones. */
export function validateSharding(settings: OperatorSettings): void {
  const s = settings.sharding;
  if (s.shards === null) return;
  if (!Number.isInteger(s.shards) || s.shards < 1)
    throw new Error(`settings.sharding.shards must be a positive integer, not ${String(s.shards)}.`);
  if (!(s.retryPeriod > 0 && s.retryPeriod < s.renewDeadline && s.renewDeadline < s.leaseDuration)) {
    throw new Error(
      `settings.sharding needs 0 < retryPeriod < renewDeadline < leaseDuration (got ${s.retryPeriod}, ${s.renewDeadline}, ${s.leaseDuration}): a holder must stop before its lease can expire.`,
    );
  }
}

/** The replica's share of the shards. */
export class Sharding {
  readonly count: number;
  readonly identity: string;
  readonly #settings: OperatorSettings;
  readonly #logger: Logger;
  readonly #leases: LeaseClient;
  readonly #machine: ReturnType<typeof leaseMachine.provide>;
  readonly #inspect: ShardingOptions['inspect'];
  readonly #held = new Map<number, Held>();
  readonly #labels = new Map<string, Record<string, string>>();
  readonly #listeners = new Set<() => void>();
  #owned = new Set<number>();
  #member: LeaseActor | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Pending releases of handed-over shards (cleared on stop, which releases everything at once). */
  readonly #handovers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;
  #members = 1;
  #serverSide = false;

  constructor(options: ShardingOptions) {
    validateSharding(options.settings);
    this.count = options.settings.sharding.shards ?? 1;
    this.identity = options.identity;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#inspect = options.inspect;
    this.#leases = new LeaseClient(options.client, options.namespace, options.identity);
    const duration = options.settings.sharding.leaseDuration;
    this.#machine = leaseMachine.provide({
      actors: {
        acquire: fromPromise(async ({ input }: { input: LeaseInput }) => ({
          acquired: await this.#leases.acquire(input.name, duration, this.#labels.get(input.name) ?? {}),
        })),
        renew: fromPromise(async ({ input }: { input: LeaseInput }) => await this.#leases.renew(input.name)),
        release: fromPromise(
          async ({ input }: { input: LeaseInput }) => await this.#leases.release(input.name),
        ),
      },
    });
  }

  /** The shards whose objects this replica handles now. */
  get owned(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /** How many live replicas this one saw at its last look. */
  get members(): number {
    return this.#members;
  }

  /** Whether the object's shard is held here. Objects without a uid are nobody's. */
  owns(object: { metadata?: { uid?: string } }): boolean {
    const uid = object.metadata?.uid;
    return uid !== undefined && this.#owned.has(shardOf(uid, this.count));
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether the apiserver filters LIST and WATCH by shard (probed at start; settings.sharding.serverSide). */
  get serverSide(): boolean {
    return this.#serverSide;
  }

  /**
   * The `shardSelector` for the watches: of the held shards when the apiserver filters by shard (null: none
   * held, nothing to watch), else undefined (everything is watched and filtered here).
   */
  selector(): string | undefined | null {
    return this.#serverSide ? shardSelector(this.#owned, this.count) : undefined;
  }

  /** Asks the apiserver whether it applies a shardSelector (its list metadata says `shardInfo` then). */
  async probe(): Promise<void> {
    if (!this.#settings.sharding.serverSide) return;
    try {
      this.#serverSide = await this.#leases.probeSharding(
        shardSelector([0], 1) ??
          `shardRange(object.metadata.uid, '0x0000000000000000', '0x10000000000000000')`,
      );
    } catch (err) {
      this.#logger.warn(
        `Sharding: cannot tell whether the apiserver filters by shard; filtering here: ${(err as Error).message}`,
      );
    }
    this.#logger.info(
      this.#serverSide
        ? 'Sharding: the apiserver filters LIST and WATCH by shard (ShardedListAndWatch): this replica watches only the objects of its shards.'
        : 'Sharding: the apiserver does not filter by shard (no ShardedListAndWatch): every replica watches all objects and handles those of its shards.',
    );
  }

  /** Takes the member Lease and starts looking at the others every retry period. */
  start(): void {
    const name = `${this.#settings.sharding.name}-member-${fnv1a64(this.identity).toString(16).padStart(16, '0').slice(0, 10)}`;
    this.#member = this.#spawn(name, { role: 'member' });
    this.#logger.info(`Sharding: ${this.count} shards in ${this.#leases.namespace}, as ${this.identity}.`);
    const loop = async (): Promise<void> => {
      if (this.#stopped) return;
      try {
        await this.#balance();
      } catch (err) {
        if (!this.#stopped)
          this.#logger.warn(
            `Sharding: looking at the other replicas failed; will retry: ${(err as Error).message}`,
          );
      }
      if (!this.#stopped)
        this.#timer = setTimeout(() => void loop(), this.#settings.sharding.retryPeriod * 1000);
    };
    void loop();
  }

  /** Releases every Lease (the operator's actors are already stopped) and stops looking. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const handover of this.#handovers) clearTimeout(handover);
    this.#handovers.clear();
    const actors = [...[...this.#held.values()].map((h) => h.actor), ...(this.#member ? [this.#member] : [])];
    this.#held.clear();
    this.#recompute();
    for (const actor of actors) actor.send({ type: 'release' });
    // Bounded: a release that cannot reach the apiserver is given up after 5 s (the Lease expires anyway).
    let bound: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(actors.map((a) => waitDone(a))),
      new Promise((r) => (bound = setTimeout(r, 5000))),
    ]);
    clearTimeout(bound);
  }

  #spawn(name: string, labels: Record<string, string>): LeaseActor {
    const s = this.#settings.sharding;
    this.#labels.set(name, {
      [GROUP_LABEL]: s.name,
      [ROLE_LABEL]: labels.role!,
      ...(labels.shard ? { [SHARD_LABEL]: labels.shard } : {}),
    });
    const actor = createActor(this.#machine, {
      id: `lease:${name}`,
      input: {
        name,
        leaseDuration: s.leaseDuration,
        renewDeadline: s.renewDeadline,
        retryPeriod: s.retryPeriod,
      },
      ...(this.#inspect ? { inspect: this.#inspect } : {}),
    });
    actor.subscribe({ next: () => this.#recompute(), error: () => this.#recompute() });
    actor.start();
    return actor;
  }

  #shardName(shard: number): string {
    return `${this.#settings.sharding.name}-shard-${shard}-of-${this.count}`;
  }

  /** Owned = held and not being handed over; the subscribers hear of every change. */
  #recompute(): void {
    const owned = new Set<number>();
    for (const [shard, held] of this.#held)
      if (!held.handingOver && isHeld(held.actor.getSnapshot().value)) owned.add(shard);
    if (owned.size === this.#owned.size && [...owned].every((s) => this.#owned.has(s))) return;
    const gained = [...owned].filter((s) => !this.#owned.has(s));
    const lost = [...this.#owned].filter((s) => !owned.has(s));
    this.#owned = owned;
    this.#logger.info(
      `Sharding: holding ${owned.size} of ${this.count} shards [${this.owned.join(', ')}]${gained.length ? `; took [${gained.join(', ')}]` : ''}${lost.length ? `; gave up [${lost.join(', ')}]` : ''}.`,
    );
    for (const listener of this.#listeners) listener();
  }

  /** One look at the group's Leases: how many replicas live, what is ours to take or to hand over. */
  async #balance(): Promise<void> {
    const s = this.#settings.sharding;
    const leases = await this.#leases.list(`${GROUP_LABEL}=${s.name}`);
    if (this.#stopped) return;
    const now = Date.now();
    const members = new Set<string>([this.identity]);
    const holders = new Map<number, string>();
    for (const lease of leases) {
      const holder = lease.spec?.holderIdentity;
      if (!holder || isFree(lease, now)) continue;
      const labels = lease.metadata.labels ?? {};
      if (labels[ROLE_LABEL] === 'member') members.add(holder);
      else if (labels[ROLE_LABEL] === 'shard' && lease.metadata.name.endsWith(`-of-${this.count}`))
        holders.set(Number(labels[SHARD_LABEL]), holder);
    }
    this.#members = members.size;
    // Failed attempts and lost leases are dropped: the next look decides again.
    for (const [shard, held] of [...this.#held]) {
      const state = held.actor.getSnapshot();
      if (state.matches({ acquiring: 'waiting' }) || state.matches('lost') || state.status !== 'active') {
        held.actor.send({ type: 'release' });
        this.#held.delete(shard);
      }
    }
    this.#recompute();
    const quota = quotaOf(this.identity, [...members], holders, this.count);
    const mine = [...this.#held].filter(([, h]) => !h.handingOver).map(([shard]) => shard);
    if (mine.length > quota) {
      for (const shard of mine.sort((a, b) => b - a).slice(0, mine.length - quota)) this.#handOver(shard);
    } else if (mine.length < quota) {
      const rank = [...members].sort().indexOf(this.identity);
      const offset = Math.floor((rank * this.count) / members.size);
      const free: number[] = [];
      for (let i = 0; i < this.count; i++) {
        const shard = (i + offset) % this.count;
        if (!holders.has(shard) && !this.#held.has(shard)) free.push(shard);
      }
      for (const shard of free.slice(0, quota - mine.length)) {
        this.#held.set(shard, {
          actor: this.#spawn(this.#shardName(shard), { role: 'shard', shard: String(shard) }),
          handingOver: false,
        });
      }
    }
  }

  /** Stops handling the shard now, releases its Lease once its reactions had `queueing.exitTimeout` to finish. */
  #handOver(shard: number): void {
    const held = this.#held.get(shard);
    if (!held || held.handingOver) return;
    held.handingOver = true;
    this.#recompute();
    const delay = (this.#settings.queueing.exitTimeout + 1) * 1000;
    const handover = setTimeout(() => {
      this.#handovers.delete(handover);
      held.actor.send({ type: 'release' });
      void waitDone(held.actor).then(() => {
        if (this.#held.get(shard) === held) this.#held.delete(shard);
      });
    }, delay);
    this.#handovers.add(handover);
  }
}

/**
 * This replica's share: ⌊S/N⌋, one more for the first S mod N replicas — those holding the most now first (so
 * that a holder keeps what it has: `--shards 1` does not move the leader when a replica joins), then by identity.
 */
export function quotaOf(
  identity: string,
  members: string[],
  holders: Map<number, string>,
  count: number,
): number {
  const heldBy = new Map<string, number>();
  for (const holder of holders.values()) heldBy.set(holder, (heldBy.get(holder) ?? 0) + 1);
  const order = [...new Set(members)].sort(
    (a, b) => (heldBy.get(b) ?? 0) - (heldBy.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const base = Math.floor(count / order.length);
  return base + (order.indexOf(identity) < count % order.length ? 1 : 0);
}

function waitDone(actor: LeaseActor): Promise<void> {
  return new Promise((resolve) => {
    if (actor.getSnapshot().status !== 'active') return resolve();
    const sub = actor.subscribe({ complete: () => (sub.unsubscribe(), resolve()), error: () => resolve() });
  });
}

/** Where the Leases live: the setting, else the first plainly named served namespace, else `default`. */
export function leaseNamespace(settings: OperatorSettings, namespaces: string[]): string {
  return (
    settings.sharding.namespace ??
    namespaces.find((ns) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) ??
    'default'
  );
}

/** The replica's sharding, or null when `settings.sharding.shards` is not set. */
export async function startSharding(options: ShardingOptions): Promise<Sharding | null> {
  if (options.settings.sharding.shards === null) return null;
  const sharding = new Sharding(options);
  await sharding.probe();
  sharding.start();
  return sharding;
}
