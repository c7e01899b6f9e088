/**
 * A counting semaphore: limits how many objects react at once (settings.queueing.workerLimit).
 * Used by src/engine/object-actor.ts around each reaction.
 */

/** Permits handed out in FIFO order; `limit: null` means unlimited. */
export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  readonly limit: number | null;
  #held = 0;
  constructor(limit: number | null) {
    this.limit = limit;
    this.#free = limit ?? Number.POSITIVE_INFINITY;
  }

  /** Resolves with a release function once a permit is free; rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
      return this.#releaser();
    }
    return await new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#releaser());
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #releaser(): () => void {
    let released = false;
    this.#held++;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }

  /** How many permits are held now (the reactions running). */
  get held(): number {
    return this.#held;
  }

  /** How many are waiting for a permit. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
