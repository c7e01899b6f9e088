/**
 * Which objects this operator may handle now, and what happens when that changes. An {@link Ownership} is
 * consulted by the dispatcher (src/engine/dispatcher.ts) for every watch event; peering (src/peering/) pauses
 * the operator by owning nothing, sharding owns the objects of the shards this replica holds. The
 * {@link OwnershipGate} is the dispatcher's side: it parks the events of objects not owned, stops the actors
 * of objects whose ownership is withdrawn, and re-dispatches the parked objects when it is granted again.
 *
 * Warm standby: the watches stay open while nothing (or a part) is owned, and the gate keeps the newest event
 * of every object not owned, so regaining them needs no relist. The cost is one body per parked object that
 * changed while not owned or has daemons/timers to respawn — an idle object in sync needs none: its next event
 * starts its actor again — and nothing for the owned ones (docs/scaling.md).
 */
import type { RawEvent } from '../model/body.ts';
import type { Logger } from '../observe/log.ts';

/**
 * The part of an object that ownership decides on. Usually the whole body; for an idle object whose actor
 * forgot its body (machines/object.ts keeps none when in sync) only `metadata.uid` — so an ownership that
 * may withdraw idle objects must decide on the uid (sharding does; peering's pause ignores the object).
 */
export interface OwnedObject {
  metadata?: { uid?: string; namespace?: string; name?: string };
}

/**
 * Whether the operator may handle an object now. `owns()` must be cheap (it runs for every watch event) and
 * must change only together with a notification to the subscribers (who then re-check every object).
 */
export interface Ownership {
  owns(object: OwnedObject): boolean;
  /** Calls `listener` after every change of what is owned; returns the unsubscriber. */
  subscribe(listener: () => void): () => void;
}

/** Owns everything, never changes: the operator without peering or sharding. */
export const OWN_EVERYTHING: Ownership = { owns: () => true, subscribe: () => () => {} };

/** Owned only when every one of `parts` owns it (e.g. peering's pause and sharding together). */
export function ownedByAll(parts: Ownership[]): Ownership {
  if (parts.length === 0) return OWN_EVERYTHING;
  if (parts.length === 1) return parts[0]!;
  return {
    owns: (object) => parts.every((part) => part.owns(object)),
    subscribe: (listener) => {
      const unsubscribers = parts.map((part) => part.subscribe(listener));
      return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
    },
  };
}

/** What the gate needs from the dispatcher. */
export interface GatedActors {
  /** The live actors with the newest body each still holds (undefined: idle and in sync, none is kept). */
  live(): Iterable<[key: string, latest: RawEvent | undefined]>;
  /** Stops these actors (daemons/timers with OPERATOR_PAUSING, reactions given their time) and forgets them. */
  withdraw(keys: string[]): Promise<void>;
  /** Dispatches an event as if it came from the watch (creating the actor). */
  redispatch(scope: string, event: RawEvent): void;
}

interface Parked {
  scope: string;
  event: RawEvent;
  /** Its actor was stopped by a withdrawal (not just never started): it is not "first seen by a listing". */
  withdrawn: boolean;
}

/**
 * The dispatcher's ownership gate. `admit()` is asked for every event: events of objects not owned (or whose
 * actors are still being withdrawn) are parked — only the newest is kept, a DELETED one forgets the object.
 * On every ownership change the live actors of objects no longer owned are withdrawn and the parked objects
 * now owned are re-dispatched from their newest event.
 */
export class OwnershipGate {
  readonly #ownership: Ownership;
  readonly #actors: GatedActors;
  readonly #logger: Logger;
  readonly #parked = new Map<string, Parked>();
  readonly #withdrawing = new Set<string>();
  #unsubscribe: () => void;
  #closed = false;

  constructor(ownership: Ownership, actors: GatedActors, logger: Logger) {
    this.#ownership = ownership;
    this.#actors = actors;
    this.#logger = logger;
    this.#unsubscribe = ownership.subscribe(() => this.#reconcile());
  }

  /** How many objects are parked (not owned, waiting with their newest event). */
  get parked(): number {
    return this.#parked.size;
  }

  /** Whether the operator owns the object now (event handlers consult it too). */
  owns(object: OwnedObject): boolean {
    return this.#ownership.owns(object);
  }

  /** Whether the event may go to its actor now; if not, it is parked (or, for DELETED, forgotten). */
  admit(scope: string, key: string, event: RawEvent): boolean {
    if (this.#closed) return true;
    if (!this.#withdrawing.has(key) && this.#ownership.owns(event.object)) {
      this.#parked.delete(key);
      return true;
    }
    if (event.type === 'DELETED') this.#parked.delete(key);
    else this.#parked.set(key, { scope, event, withdrawn: this.#parked.get(key)?.withdrawn ?? false });
    return false;
  }

  /** Forgets the parked objects that `match` (their resource or namespace is not served any more). */
  forget(match: (scope: string, event: RawEvent) => boolean): void {
    for (const [key, parked] of this.#parked) if (match(parked.scope, parked.event)) this.#parked.delete(key);
  }

  /** Stops following the ownership (the operator exits); everything is admitted from now on. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.#parked.clear();
  }

  #reconcile(): void {
    if (this.#closed) return;
    const lost: string[] = [];
    for (const [key, latest] of this.#actors.live()) {
      // An idle actor may have forgotten its body (it is in sync): its uid decides, and nothing is parked.
      const object = latest?.object ?? { metadata: { uid: key.slice(key.lastIndexOf('/') + 1) } };
      if (this.#withdrawing.has(key) || this.#ownership.owns(object)) continue;
      const scope = key.slice(0, key.lastIndexOf('/'));
      this.#withdrawing.add(key);
      // Events that arrive from now on are newer than what the actor has seen: they overwrite this one.
      if (latest && !this.#parked.has(key) && latest.type !== 'DELETED')
        this.#parked.set(key, { scope, event: latest, withdrawn: true });
      lost.push(key);
    }
    if (lost.length) {
      this.#logger.debug(`Ownership withdrawn for ${lost.length} objects: stopping their actors.`);
      this.#actors.withdraw(lost).then(
        () => this.#afterWithdrawal(lost),
        (err: unknown) => {
          this.#logger.error(
            { err },
            `Stopping the actors of the objects no longer owned failed: ${String(err)}`,
          );
          this.#afterWithdrawal(lost);
        },
      );
    }
    this.#regain();
  }

  #afterWithdrawal(keys: string[]): void {
    for (const key of keys) this.#withdrawing.delete(key);
    // Ownership may have come back while the actors were stopping.
    this.#regain();
  }

  #regain(): void {
    if (this.#closed) return;
    let count = 0;
    for (const [key, parked] of [...this.#parked]) {
      if (this.#withdrawing.has(key) || !this.#ownership.owns(parked.event.object)) continue;
      this.#parked.delete(key);
      // A withdrawn object was handled in this process: it is not "initial" again (Kopf keeps its memory).
      const event =
        parked.withdrawn && parked.event.type === null
          ? { ...parked.event, type: 'MODIFIED' as const }
          : parked.event;
      this.#actors.redispatch(parked.scope, event);
      count++;
    }
    if (count)
      this.#logger.debug(`Ownership granted for ${count} objects: resumed from their newest bodies.`);
  }
}
