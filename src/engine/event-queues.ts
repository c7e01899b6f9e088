/**
 * The `on.event` handlers' queue of each object: every raw watch event of an object (including the initial
 * listing) runs its event handlers after the previous event's have finished — in order per object, as Kopf's
 * per-object worker does — and each run holds a permit of the operator's `settings.queueing.workerLimit`, the
 * same limiter as the object actors' reactions, so event handlers no longer run unbounded. An object's queue
 * exists only while it has work (an idle object costs nothing here). Created per operator by
 * src/engine/operator.ts; src/engine/watchers.ts enqueues the events.
 */
import type { RawEvent } from '../model/body.ts';
import type { Semaphore } from './semaphore.ts';

/** Per-object FIFO queues of event-handler runs, bounded by a shared limiter. */
export class EventQueues {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #limiter: Semaphore;
  readonly #stopping = new AbortController();

  constructor(limiter: Semaphore) {
    this.#limiter = limiter;
  }

  /** Objects with event-handler runs queued or running. */
  get size(): number {
    return this.#tails.size;
  }

  /**
   * Queues `run` for the object of `event` (by its uid within `scope`): it starts once the object's earlier
   * runs are done and a permit is free. `run` must not throw (event handlers' errors are logged and ignored).
   */
  enqueue(scope: string, event: RawEvent, run: () => Promise<void>): void {
    if (this.#stopping.signal.aborted) return;
    const key = `${scope}/${event.object?.metadata?.uid ?? event.object?.metadata?.name ?? ''}`;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      let release: () => void;
      try {
        release = await this.#limiter.acquire(this.#stopping.signal);
      } catch {
        return; // the operator stops: queued runs are dropped (event handlers are fire-once, as in Kopf)
      }
      try {
        await run();
      } finally {
        release();
      }
    });
    this.#tails.set(key, next);
    void next.then(() => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    });
  }

  /** Stops taking runs; waits up to `timeoutMs` for the running and queued ones; returns how many objects had runs left. */
  async stop(timeoutMs: number): Promise<number> {
    const pending = [...this.#tails.values()];
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref());
    const outcome = await Promise.race([Promise.all(pending).then(() => 'drained' as const), deadline]);
    this.#stopping.abort();
    return outcome === 'drained' ? 0 : this.#tails.size;
  }
}
