/**
 * Kopf's readiness of indexes: while any blocker is set (an indexed resource × namespace not fully listed yet,
 * or the operator's first orchestration not done), everything except indexing is held back, in order, and
 * replayed once the last blocker is gone. Nothing is held when an operator has no indexes. Used by
 * src/engine/watchers.ts (one blocker per indexed watch, dropped after its first LIST) and
 * src/engine/operator.ts (the orchestration blocker).
 */

/** A toggle set of blockers with a queue of held work. */
export class IndexReadiness {
  readonly #blockers = new Set<string>();
  readonly #held: (() => void)[] = [];
  readonly #waiters: (() => void)[] = [];
  #flushing = false;

  /** Whether nothing blocks (every indexed resource was fully listed once). */
  get ready(): boolean {
    return this.#blockers.size === 0;
  }

  /** How many pieces of work are waiting for readiness. */
  get heldCount(): number {
    return this.#held.length;
  }

  /** Adds a blocker: work is held until it is removed. */
  block(name: string): void {
    this.#blockers.add(name);
  }

  /** Removes a blocker; when it was the last one, the held work runs now, in order. */
  unblock(name: string): void {
    if (!this.#blockers.delete(name)) return;
    this.#flush();
  }

  /** Runs `work` now when ready (and nothing is still queued before it), else when readiness comes. */
  run(work: () => void): void {
    if (this.ready && this.#held.length === 0) work();
    else this.#held.push(work);
  }

  /** Resolves when ready. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Drops the held work (the operator stops). */
  clear(): void {
    this.#held.length = 0;
  }

  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.ready && this.#held.length > 0) this.#held.shift()!();
      if (this.ready) for (const resolve of this.#waiters.splice(0)) resolve();
    } finally {
      this.#flushing = false;
    }
  }
}
