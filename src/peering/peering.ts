/**
 * Kopf's peering in a running operator: for every peering object that applies (ClusterKopfPeering for a
 * cluster-wide operator, a KopfPeering in every served namespace), a keep-alive loop writing our record and a
 * watch deciding on the peers' records: a live peer of a higher priority pauses us, peers of our priority pause
 * everyone (with Kopf's warning), dead peers' records are removed. The operator is paused while any peering
 * object says so, or while peering is mandatory and its CRD is missing, or until each peering object was listed
 * once (so a new replica never handles anything before it knows its peers). Being an Ownership (owning
 * everything or nothing), it pauses the dispatcher (src/engine/ownership.ts), which keeps the watches warm.
 * Created by src/engine/operator.ts through {@link startPeering}.
 */
import type { KubeClient } from '../kube/client.ts';
import { watchObjects } from '../kube/watch.ts';
import type { RawEvent } from '../model/body.ts';
import type { Resource } from '../model/resource.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { Logger } from '../observe/log.ts';
import { detectOwnId } from './identity.ts';
import { decide, describePeer, keepAliveDelay } from './peers.ts';
import { describePlace, patchPeers, peeringResources, touch, type PeeringPlace } from './touch.ts';

/** How a peering object currently affects us. */
interface PlaceState {
  place: PeeringPlace;
  /** Pausing us: conflicting peers, or not listed yet, or (mandatory) the object is missing. */
  conflict: boolean;
  /** Whether the peers were judged once (before that, `conflict` only waits for the first listing). */
  decided: boolean;
  abort: AbortController;
  /** The keep-alive and watch loops; they end after `abort`. */
  done: Promise<unknown>;
  /** The re-evaluation when the conflicting peers are due to expire. */
  expiry: ReturnType<typeof setTimeout> | null;
}

/** Options of {@link startPeering}. */
export interface PeeringOptions {
  client: KubeClient;
  settings: OperatorSettings;
  logger: Logger;
  /** Our identity among the peers (default: Kopf's: `$POD_ID` or `user@host/stamp/rnd`). */
  identity?: string;
}

/**
 * Kopf's peering of one operator. `owns()` is false while paused. The operator calls {@link setResources}
 * after every discovery and {@link adjust} whenever the served namespaces change, then {@link stop} on exit.
 */
export class Peering {
  readonly identity: string;
  readonly #client: KubeClient;
  readonly #settings: OperatorSettings;
  readonly #logger: Logger;
  readonly #places = new Map<string, PlaceState>();
  readonly #listeners = new Set<() => void>();
  #resources: Resource[] = [];
  #missing = false;
  #warnedAbsent = false;
  #paused = false;
  #namespaces: (string | undefined)[] = [];
  #stopped = false;
  /** Whether the peering objects known at the start were listed once (later ones do not pause us while listing). */
  #settled = false;

  constructor(options: PeeringOptions) {
    this.#client = options.client;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.identity = options.identity ?? detectOwnId(false);
  }

  /** Whether the operator is paused by its peers (or by a missing CRD when peering is mandatory). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Everything while not paused, nothing while paused. */
  owns(): boolean {
    return !this.#paused;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes the discovered resources: finds the peering resources (or warns that there are none). */
  setResources(resources: Iterable<Resource>): void {
    const found = peeringResources(resources, this.#settings.peering.clusterwide);
    this.#resources = found;
    const mandatory = this.#settings.peering.mandatory;
    if (!found.length && mandatory && !this.#missing) {
      this.#logger.warn(
        `The peering CRD is missing: pausing until it appears (peering '${this.#settings.peering.name}' is mandatory). Apply it with \`kopf-ts peering-crds --apply\`.`,
      );
    } else if (!found.length && !mandatory && !this.#warnedAbsent) {
      this.#warnedAbsent = true;
      this.#logger.warn(
        'Default peering object is not found, falling back to the standalone mode (no peering CRD: apply it with `kopf-ts peering-crds --apply`, or pass --standalone to silence this).',
      );
    } else if (found.length && this.#missing) {
      this.#logger.info('The peering CRD has appeared.');
    }
    this.#missing = mandatory && !found.length;
    if (!found.length) this.#settled = true; // nothing to wait for at the start: a CRD applied later does not pause us
    this.adjust(this.#namespaces);
  }

  /** Starts and stops the peering of each peering object for the served namespaces (`undefined`: cluster-wide). */
  adjust(namespaces: Iterable<string | undefined>): void {
    if (this.#stopped) return;
    this.#namespaces = [...namespaces];
    const wanted = new Map<string, PeeringPlace>();
    for (const resource of this.#resources) {
      const scopes = resource.namespaced
        ? this.#namespaces.filter((ns): ns is string => ns !== undefined)
        : [undefined];
      for (const namespace of scopes) {
        const place = { resource, namespace, name: this.#settings.peering.name };
        wanted.set(`${resource.group}/${resource.plural}@${namespace ?? ''}`, place);
      }
    }
    for (const [key, state] of this.#places) {
      if (wanted.has(key)) continue;
      this.#places.delete(key);
      this.#end(state);
    }
    for (const [key, place] of wanted) if (!this.#places.has(key)) this.#places.set(key, this.#begin(place));
    this.#reevaluate();
  }

  /** Stops every keep-alive (removing our records) and watch; resolves when they ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const states = [...this.#places.values()];
    this.#places.clear();
    for (const state of states) this.#end(state);
    await Promise.allSettled(states.map((s) => s.done));
  }

  #begin(place: PeeringPlace): PlaceState {
    const abort = new AbortController();
    // At the start, wait for the peers before handling anything; a peering object that appears later (a new
    // namespace, the CRD applied) does not interrupt a running operator unless peering is mandatory (as Kopf).
    const state: PlaceState = {
      place,
      conflict: !this.#settled || this.#settings.peering.mandatory,
      decided: false,
      abort,
      done: Promise.resolve(),
      expiry: null,
    };
    state.done = Promise.allSettled([this.#keepAlive(state), this.#watch(state)]);
    return state;
  }

  #end(state: PlaceState): void {
    if (state.expiry) clearTimeout(state.expiry);
    state.abort.abort();
  }

  /** Our sharding group, when sharded: its replicas peer without pausing each other. */
  #shardingGroup(): string | undefined {
    return this.#settings.sharding.shards !== null ? this.#settings.sharding.name : undefined;
  }

  /** Recomputes the pause from all peering objects; tells the subscribers when it changed. */
  #reevaluate(): void {
    const paused = this.#missing || [...this.#places.values()].some((s) => s.conflict);
    if (paused === this.#paused) return;
    this.#paused = paused;
    for (const listener of this.#listeners) listener();
  }

  async #keepAlive(state: PlaceState): Promise<void> {
    const { signal } = state.abort;
    const peering = this.#settings.peering;
    while (!signal.aborted) {
      await this.#touch(state.place, peering.lifetime, signal);
      const delay = keepAliveDelay(peering.lifetime);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay * 1000);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
    // Leaving: our record goes (Kopf writes lifetime 0, i.e. null).
    await this.#touch(state.place, 0, undefined, true);
  }

  async #touch(place: PeeringPlace, lifetime: number, signal?: AbortSignal, leaving = false): Promise<void> {
    try {
      const found = await touch(
        this.#client,
        place,
        this.identity,
        this.#settings.peering.priority,
        lifetime,
        signal,
        this.#shardingGroup(),
      );
      if (!this.#settings.peering.stealth || !found)
        this.#logger.debug(`Keep-alive in ${describePlace(place)}: ${found ? 'ok' : 'not found'}.`);
    } catch (err) {
      if (signal?.aborted) return;
      const what = leaving
        ? "Couldn't remove self from the peering. Ignoring."
        : `The keep-alive in ${describePlace(place)} failed; will retry:`;
      this.#logger.error({ err }, `${what} ${(err as Error).message}`);
    }
  }

  async #watch(state: PlaceState): Promise<void> {
    const { signal } = state.abort;
    const { place } = state;
    let seen = false;
    while (!signal.aborted) {
      try {
        for await (const item of watchObjects({
          client: this.#client,
          resource: place.resource,
          namespace: place.namespace,
          signal,
          reconnectBackoff: this.#settings.watching.reconnectBackoff,
          inactivityTimeout: this.#settings.watching.inactivityTimeout,
          serverTimeout: this.#settings.watching.serverTimeout,
        })) {
          if (item.kind === 'listed') {
            // Listed without our peering object: nobody to yield to (unless peering is mandatory).
            if (!seen) this.#setConflict(state, this.#settings.peering.mandatory);
            state.decided = true;
            this.#settled ||= [...this.#places.values()].every((p) => p.decided);
            continue;
          }
          if (item.event.object?.metadata?.name !== place.name) continue;
          seen = item.event.type !== 'DELETED';
          await this.#process(state, item.event);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.#logger.error(
          { err },
          `The peering watch of ${describePlace(place)} failed; restarting it: ${(err as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  #setConflict(state: PlaceState, conflict: boolean): void {
    if (state.conflict === conflict || state.abort.signal.aborted) return;
    state.conflict = conflict;
    this.#reevaluate();
  }

  /** One event of our peering object: Kopf's decision, the cleanup of dead peers, the re-check at their expiry. */
  async #process(state: PlaceState, event: RawEvent): Promise<void> {
    const settings = this.#settings;
    const now = Date.now();
    const status = event.type === 'DELETED' ? {} : event.object.status;
    const { dead, higher, same, all } = decide(
      status,
      this.identity,
      settings.peering.priority,
      now,
      this.#shardingGroup(),
    );
    if (dead.length) {
      try {
        await patchPeers(
          this.#client,
          state.place,
          Object.fromEntries(dead.map((p) => [p.identity, null])),
          state.abort.signal,
        );
      } catch (err) {
        if (!state.abort.signal.aborted)
          this.#logger.warn(
            `Cannot remove the dead peers from ${describePlace(state.place)}: ${(err as Error).message}`,
          );
      }
    }
    const list = (peers: typeof all): string => `[${peers.map(describePeer).join(', ')}]`;
    if (higher.length) {
      if (!state.conflict || !state.decided)
        this.#logger.info(`Pausing operations in favour of ${list(higher)}.`);
      this.#setConflict(state, true);
    } else if (same.length) {
      this.#logger.warn(`Possibly conflicting operators with the same priority: ${list(same)}.`);
      if (!state.conflict || !state.decided)
        this.#logger.warn(`Pausing all operators, including self: ${list(all)}`);
      this.#setConflict(state, true);
    } else if (event.type === 'DELETED' && settings.peering.mandatory) {
      this.#setConflict(state, true);
    } else {
      if (state.conflict && state.decided)
        this.#logger.info(
          'Resuming operations after the pause. Conflicting operators with the same priority are gone.',
        );
      this.#setConflict(state, false);
    }
    state.decided = true;
    // When the conflicting peers are due to expire, touch ourselves: the event it makes re-evaluates them.
    if (state.expiry) clearTimeout(state.expiry);
    state.expiry = null;
    const deadlines = [...higher, ...same].map((p) => p.deadline);
    if (deadlines.length) {
      const delay = Math.max(0, Math.min(...deadlines) - Date.now()) + 10;
      state.expiry = setTimeout(() => {
        state.expiry = null;
        if (!state.abort.signal.aborted)
          void this.#touch(state.place, settings.peering.lifetime, state.abort.signal);
      }, delay);
    }
  }
}

/**
 * Peering (and sharding) settings from `kopf-ts run`'s options (Kopf's `run()`): `--peering` makes it mandatory,
 * `--dev` is priority 666, `--shards` sets settings.sharding.shards.
 */
export function applyPeeringOptions(
  settings: OperatorSettings,
  options: {
    clusterwide: boolean;
    standalone?: boolean | undefined;
    peeringName?: string | undefined;
    priority?: number | undefined;
    shards?: number | undefined;
  },
): void {
  if (options.shards !== undefined) settings.sharding.shards = options.shards;
  settings.peering.clusterwide = options.clusterwide;
  if (options.peeringName !== undefined) {
    settings.peering.mandatory = true;
    settings.peering.name = options.peeringName;
  }
  if (options.standalone !== undefined) settings.peering.standalone = options.standalone;
  if (options.priority !== undefined) settings.peering.priority = options.priority;
}

/** Kopf's priority of `--dev`. */
export const DEV_PRIORITY = 666;

/** The operator's peering, or null when standalone. */
export function startPeering(options: PeeringOptions): Peering | null {
  if (options.settings.peering.standalone) return null;
  return new Peering(options);
}
