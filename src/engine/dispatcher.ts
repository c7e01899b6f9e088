/**
 * The dispatcher: routes each watch event to the actor of its object (by `metadata.uid`), creating the
 * actor on first sight and forgetting it when it reaches a final state. Actors are independent root actors
 * in a Map (spawning thousands of children into one XState parent is quadratic). A passivated actor (idle
 * long enough, machines/object.ts decides) leaves only its small record here; the object's next event
 * restores it. Created per operator by src/engine/operator.ts; the watch loops call `dispatch()`. An
 * {@link Ownership} (peering's pause, sharding) decides which objects get actors now; its gate
 * (src/engine/ownership.ts) parks and withdraws the others.
 */
import { isStaleEvent, type PassivatedRecord } from '../../machines/object.ts';
import type { RawEvent } from '../model/body.ts';
import type { Logger } from '../observe/log.ts';
import type { MemoryRelease } from './memory-release.ts';
import { OWN_EVERYTHING, OwnershipGate, type OwnedObject, type Ownership } from './ownership.ts';

/** Why actors are stopped: the exit, the object's end, a filter, or a pause (ownership withdrawn). */
type StopReason = 'OPERATOR_EXITING' | 'RESOURCE_DELETED' | 'FILTERS_MISMATCH' | 'OPERATOR_PAUSING';

/** The part of an object actor the dispatcher uses. */
export interface DispatchedActor {
  send(event: { type: 'watch.event'; event: RawEvent } | { type: 'operator.stop' }): void;
  /** Resolves when the actor reached a final state. */
  done: Promise<unknown>;
  /** Whether a reaction (or a finalizer release) is in flight. */
  busy(): boolean;
  /** Asks the object's daemons and timers to stop (they follow their own cancellation protocol). */
  stopBackground?(reason: StopReason): void;
  /** The object's namespace (none for cluster-scoped objects): which actors a namespace's end concerns. */
  namespace?: string | undefined;
  /** Whether daemons or timers still run. */
  hasBackground?(): boolean;
  /** The state of its machine (`idle`, `creating`, …), for the metrics. */
  state?(): string;
  /** Passivates the actor now if it is idle and may be passivated; whether it did. */
  passivate?(): boolean;
  /** The actor's record once it has passivated (it has then ended), else null. */
  passivated?(): PassivatedRecord | null;
  /** The newest event the actor still holds (ownership is decided on its body; idle actors keep none). */
  latest?(): RawEvent | undefined;
}

/** Options of the {@link Dispatcher}. */
export interface DispatcherOptions {
  /** Which objects may have actors now (default: all). */
  ownership?: Ownership;
  /** How long in-flight reactions may finish when their objects' ownership is withdrawn (ms). */
  withdrawTimeoutMs?: number;
  /** How long withdrawn daemons and timers may take to stop (ms; default: `withdrawTimeoutMs`). */
  withdrawBackgroundTimeoutMs?: number;
  /** Told of every actor that ends, to give memory back after a wave of them (`settings.execution.releaseMemoryAfter`). */
  memoryRelease?: MemoryRelease | undefined;
  /**
   * Above this many live actors, idle ones are passivated at once, oldest first, down to 90 % of it, instead of
   * after `passivateAfter` (`settings.execution.maxLiveActors`): what bounds the memory of a burst, such as
   * resuming 100,000 objects. Default: no cap.
   */
  maxLiveActors?: number | null | undefined;
}

/** How soon after the cap on live actors was passed the idle ones are passivated (ms). */
const SWEEP_DELAY_MS = 100;

/** Creates the actor of a newly seen object, or restores a passivated one from its record. */
export type ActorFactory = (key: string, event: RawEvent, restored?: PassivatedRecord) => DispatchedActor;

/** Routes events to per-object actors. */
export class Dispatcher {
  readonly #actors = new Map<string, DispatchedActor>();
  /** Passivated objects: their records by key (no actor, no body). */
  readonly #passivated = new Map<string, PassivatedRecord>();
  /** How many actors were restored from their records so far. */
  #restored = 0;
  /** Stale events for passivated objects, answered by their records (no restore). */
  #staleForPassivated = 0;
  readonly #factory: ActorFactory;
  readonly #logger: Logger;
  readonly #gate: OwnershipGate;
  readonly #memoryRelease: MemoryRelease | undefined;
  readonly #maxLive: number | null;
  #sweep: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(factory: ActorFactory, logger: Logger, options: DispatcherOptions = {}) {
    this.#factory = factory;
    this.#logger = logger;
    this.#memoryRelease = options.memoryRelease;
    this.#maxLive = options.maxLiveActors ?? null;
    const timeoutMs = options.withdrawTimeoutMs ?? 0;
    this.#gate = new OwnershipGate(
      options.ownership ?? OWN_EVERYTHING,
      {
        live: () => [...this.#actors].map(([key, actor]) => [key, actor.latest?.()] as [string, RawEvent | undefined]),
        withdraw: async (keys) => {
          const actors = keys.flatMap((key) => this.#actors.get(key) ?? []);
          await stopActors(actors, 'OPERATOR_PAUSING', timeoutMs, options.withdrawBackgroundTimeoutMs ?? timeoutMs);
          for (const key of keys) this.#actors.delete(key);
        },
        redispatch: (scope, event) => this.dispatch(scope, event),
      },
      logger,
    );
  }

  /** Whether the object is owned now (else its events only wait, parked, for ownership to come back). */
  owns(object: OwnedObject): boolean {
    return this.#gate.owns(object);
  }

  /** Number of live actors. */
  get size(): number {
    return this.#actors.size;
  }

  /** The live actors (read by the metrics at a scrape). */
  actors(): IterableIterator<DispatchedActor> {
    return this.#actors.values();
  }

  /** Keys of the live actors. */
  keys(): string[] {
    return [...this.#actors.keys()];
  }

  /** Number of passivated objects (known, idle, without a live actor). */
  get passivatedCount(): number {
    return this.#passivated.size;
  }

  /** Number of actors restored from passivation so far. */
  get restoredCount(): number {
    return this.#restored;
  }

  /** Number of stale events for passivated objects that were dropped without restoring them. */
  get staleForPassivatedCount(): number {
    return this.#staleForPassivated;
  }

  /** Keys of the passivated objects. */
  passivatedKeys(): string[] {
    return [...this.#passivated.keys()];
  }

  /**
   * Sends the event to its object's actor (creating it). Events without a uid are logged and dropped: a
   * malformed object must not stop the stream. A DELETED event for an unknown object is ignored.
   */
  dispatch(scope: string, event: RawEvent): void {
    if (this.#stopping) return;
    const uid = event.object?.metadata?.uid;
    if (!uid) {
      this.#logger.error({ event: truncate(event) }, `A ${scope} event without metadata.uid is ignored.`);
      return;
    }
    const key = `${scope}/${uid}`;
    if (!this.#gate.admit(scope, key, event)) return;
    let actor = this.#actors.get(key);
    // Passivated a moment ago (its `done` not yet seen): its record is taken now, synchronously.
    const ended = actor?.passivated?.();
    if (actor && ended) {
      this.#actors.delete(key);
      this.#passivated.set(key, ended);
      actor = undefined;
    }
    if (!actor) {
      const restored = this.#passivated.get(key);
      // A DELETED for a passivated object restores it too: its actor ends the way a live one does.
      if (event.type === 'DELETED' && !restored) return;
      // The chart's own staleness rule, answered by the record: a stale event would be dropped by the restored actor.
      if (restored && isStaleEvent(event, restored.knownRv)) {
        this.#staleForPassivated++;
        return;
      }
      try {
        actor = this.#factory(key, event, restored);
      } catch (err) {
        this.#logger.error({ err }, `Cannot create the actor of ${key}: ${String(err)}`);
        return;
      }
      if (restored) {
        this.#passivated.delete(key);
        this.#restored++;
      }
      this.#actors.set(key, actor);
      if (this.#maxLive !== null && this.#actors.size > this.#maxLive) this.#scheduleSweep();
      const created = actor;
      void created.done.then(() => {
        if (!this.#stopping) this.#memoryRelease?.ended();
        if (this.#actors.get(key) !== created) return;
        this.#actors.delete(key);
        const record = this.#stopping ? null : created.passivated?.();
        if (record) this.#passivated.set(key, record);
      });
    }
    actor.send({ type: 'watch.event', event });
  }

  #scheduleSweep(): void {
    if (this.#sweep || this.#stopping) return;
    this.#sweep = setTimeout(() => {
      this.#sweep = undefined;
      this.#passivateOverCap();
    }, SWEEP_DELAY_MS);
    this.#sweep.unref();
  }

  /** Passivates idle actors, oldest first, until 90 % of the cap is live; looks again later while still over it. */
  #passivateOverCap(): void {
    if (this.#stopping || this.#maxLive === null) return;
    let excess = this.#actors.size - Math.floor(this.#maxLive * 0.9);
    let passivated = 0;
    let busy = 0;
    for (const actor of this.#actors.values()) {
      if (excess <= 0) break;
      if (actor.busy() || actor.state?.() !== 'idle') {
        busy++;
        continue;
      }
      if (actor.passivate?.()) {
        excess--;
        passivated++;
      }
    }
    // The passivated actors leave the map when their `done` settles (a microtask away). Busy ones may go idle
    // later: looked at again. Idle ones that may not passivate (daemons, timers) are not looked at again until
    // the next new actor passes the cap.
    if (excess > 0 && (passivated > 0 || busy > 0)) this.#scheduleSweep();
  }

  /**
   * Asks every daemon and timer to stop and lets in-flight reactions finish for up to `timeoutMs` (daemons
   * and timers get up to `backgroundTimeoutMs`: their cancellation backoff and timeout), then stops every
   * actor (a reaction still running is aborted: it writes nothing and runs again after a restart).
   * Returns how many were still busy.
   */
  async stopAll(timeoutMs: number, backgroundTimeoutMs = timeoutMs): Promise<number> {
    this.#stopping = true;
    this.#memoryRelease?.stop();
    clearTimeout(this.#sweep);
    this.#gate.close();
    const actors = [...this.#actors.values()];
    const left = await stopActors(actors, 'OPERATOR_EXITING', timeoutMs, backgroundTimeoutMs);
    this.#actors.clear();
    this.#passivated.clear();
    return left;
  }

  /**
   * Stops the actors of objects no longer served — of resource `scope` (all of them, or those of `namespace`):
   * their daemons and timers with `reason`, their in-flight reactions given `timeoutMs` — and forgets them, so
   * that the scope served again starts afresh from its listing. Returns how many actors were stopped.
   */
  async stopScope(
    scope: string,
    namespace: string | undefined,
    reason: 'RESOURCE_DELETED' | 'FILTERS_MISMATCH',
    timeoutMs: number,
    backgroundTimeoutMs = timeoutMs,
  ): Promise<number> {
    const picked = [...this.#actors].filter(
      ([key, actor]) =>
        key.startsWith(`${scope}/`) && (namespace === undefined || actor.namespace === namespace),
    );
    for (const [key, actor] of picked) if (this.#actors.get(key) === actor) this.#actors.delete(key);
    // Passivated objects of a whole resource are forgotten too (a record does not know its namespace; those of
    // a namespace that goes stay until they are seen again or the operator stops: a resourceVersion each).
    if (namespace === undefined) for (const key of [...this.#passivated.keys()]) if (key.startsWith(`${scope}/`)) this.#passivated.delete(key);
    // What waits, parked, for ownership is not served any more either.
    this.#gate.forget((parkedScope, event) => parkedScope === scope && (namespace === undefined || event.object.metadata?.namespace === namespace));
    await stopActors(
      picked.map(([, actor]) => actor),
      reason,
      timeoutMs,
      backgroundTimeoutMs,
    );
    return picked.length;
  }
}

/** Stops `actors` as {@link Dispatcher.stopAll} describes; returns how many were still busy at `timeoutMs`. */
async function stopActors(
  actors: DispatchedActor[],
  reason: StopReason,
  timeoutMs: number,
  backgroundTimeoutMs: number,
): Promise<number> {
  for (const actor of actors) actor.stopBackground?.(reason);
  const started = Date.now();
  const pending = (): boolean =>
    (Date.now() < started + timeoutMs && actors.some((a) => a.busy())) ||
    (Date.now() < started + backgroundTimeoutMs && actors.some((a) => a.hasBackground?.()));
  while (pending()) await new Promise((r) => setTimeout(r, 20));
  const left = actors.filter((a) => a.busy()).length;
  for (const actor of actors) actor.send({ type: 'operator.stop' });
  await Promise.all(actors.map((a) => a.done));
  return left;
}

function truncate(event: RawEvent): string {
  const text = JSON.stringify(event);
  return text.length > 500 ? text.slice(0, 500) + '…' : text;
}
