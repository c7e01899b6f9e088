/**
 * The `stopped` flag of daemons and timers, shareable with a worker thread: one Int32 in a
 * SharedArrayBuffer (0 = running, 1 = stopped). The main side (the engine, later) creates a
 * {@link SharedStopFlag} and sets it; a sync handler on the pool gets a {@link WorkerStopFlag} over the same
 * memory, whose `wait()` blocks the worker thread as Kopf's sync `stopped.wait()` blocks its thread.
 * Used by invoke.ts/pool.ts (main) and worker.ts. Imports nothing.
 */

/** The main-thread flag. `wait()` is awaitable; `buffer` goes to the worker with the task. */
export class SharedStopFlag {
  readonly buffer: SharedArrayBuffer;
  readonly #cell: Int32Array;
  #reason: string | null = null;
  readonly #waiters = new Set<() => void>();

  constructor() {
    this.buffer = new SharedArrayBuffer(4);
    this.#cell = new Int32Array(this.buffer);
  }

  /** Sets the flag (once; later calls change nothing) and wakes every waiter, in any thread. */
  set(reason = 'stopped'): void {
    if (Atomics.compareExchange(this.#cell, 0, 0, 1) !== 0) return;
    this.#reason = reason;
    Atomics.notify(this.#cell, 0);
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  isSet(): boolean {
    return Atomics.load(this.#cell, 0) === 1;
  }

  /** Why it was set (`null` while it is not). */
  get reason(): string | null {
    return this.#reason;
  }

  /** Resolves with `true` as soon as the flag is set, or with `false` after `seconds` (never, if omitted). */
  wait(seconds?: number): Promise<boolean> {
    if (this.isSet()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const wake = (): void => {
        if (timer) clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.add(wake);
      if (seconds !== undefined) {
        timer = setTimeout(
          () => {
            this.#waiters.delete(wake);
            resolve(this.isSet());
          },
          Math.max(0, seconds * 1000),
        );
      }
    });
  }
}

/** The worker-side view of a {@link SharedStopFlag}: `wait()` blocks this thread (it is a sync handler's). */
export class WorkerStopFlag {
  readonly #cell: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#cell = new Int32Array(buffer);
  }

  isSet(): boolean {
    return Atomics.load(this.#cell, 0) === 1;
  }

  /** Blocks until the flag is set (`true`) or `seconds` pass (`false`); forever if `seconds` is omitted. */
  wait(seconds?: number): boolean {
    const ms = seconds === undefined ? Infinity : Math.max(0, seconds * 1000);
    Atomics.wait(this.#cell, 0, 0, ms);
    return this.isSet();
  }
}
