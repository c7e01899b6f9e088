/**
 * The `stopped` flag of daemons and timers, shareable with a worker thread: two Int32 cells in a
 * SharedArrayBuffer (cell 0: 0 = running, 1 = stopped; cell 1: the reasons, one bit each). The engine
 * (src/engine/background.ts) creates a {@link SharedStopFlag} per running daemon or timer and sets it; a
 * sync handler on the pool gets a {@link WorkerStopFlag} over the same memory, whose `wait()` blocks the
 * worker thread as Kopf's sync `stopped.wait()` blocks its thread. Used by invoke.ts/pool.ts (main) and
 * worker.ts. Imports nothing.
 */

/** Why a daemon or timer is asked to stop (Kopf's `DaemonStoppingReason`, one flag each). */
export const DaemonStoppingReason = {
  DONE: 'DONE',
  FILTERS_MISMATCH: 'FILTERS_MISMATCH',
  RESOURCE_DELETED: 'RESOURCE_DELETED',
  OPERATOR_PAUSING: 'OPERATOR_PAUSING',
  OPERATOR_EXITING: 'OPERATOR_EXITING',
  DAEMON_SIGNALLED: 'DAEMON_SIGNALLED',
  DAEMON_CANCELLED: 'DAEMON_CANCELLED',
  DAEMON_ABANDONED: 'DAEMON_ABANDONED',
} as const;
export type DaemonStoppingReason = (typeof DaemonStoppingReason)[keyof typeof DaemonStoppingReason];

const ORDER: readonly DaemonStoppingReason[] = Object.values(DaemonStoppingReason);

function reasonsOf(bits: number): DaemonStoppingReason[] {
  return ORDER.filter((_, i) => (bits & (1 << i)) !== 0);
}

/** What both flavours of the flag read from the shared cells: set or not, and why. */
abstract class StopFlagView {
  protected readonly cells: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  isSet(): boolean {
    return Atomics.load(this.cells, 0) === 1;
  }

  /** All reasons given so far, in Kopf's order (empty while not set). */
  get reasons(): DaemonStoppingReason[] {
    return reasonsOf(Atomics.load(this.cells, 1));
  }

  /** The first reason of {@link reasons}, or null while not set. */
  get reason(): DaemonStoppingReason | null {
    return this.reasons[0] ?? null;
  }
}

/** The main-thread flag. `wait()` is awaitable; `buffer` goes to the worker with the task. */
export class SharedStopFlag extends StopFlagView {
  readonly buffer: SharedArrayBuffer;
  readonly #waiters = new Set<() => void>();

  constructor() {
    const buffer = new SharedArrayBuffer(8);
    super(buffer);
    this.buffer = buffer;
  }

  /**
   * Sets the flag and adds `reason` to its reasons (later calls only add reasons), waking every waiter in
   * any thread. A plain string that is not a known reason counts as DONE.
   */
  set(reason: DaemonStoppingReason | string = DaemonStoppingReason.DONE): void {
    const index = ORDER.indexOf(reason as DaemonStoppingReason);
    Atomics.or(this.cells, 1, 1 << (index >= 0 ? index : 0));
    if (Atomics.compareExchange(this.cells, 0, 0, 1) !== 0) return;
    Atomics.notify(this.cells, 0);
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
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
export class WorkerStopFlag extends StopFlagView {
  /** Blocks until the flag is set (`true`) or `seconds` pass (`false`); forever if `seconds` is omitted. */
  wait(seconds?: number): boolean {
    const ms = seconds === undefined ? Infinity : Math.max(0, seconds * 1000);
    Atomics.wait(this.cells, 0, 0, ms);
    return this.isSet();
  }
}
