/**
 * Measures how responsive the event loop is, for the liveness endpoint: a timer ticks every 100 ms and
 * remembers how late each tick came (a late tick means something held the loop: a busy async handler, a
 * huge JSON parse). {@link EventLoopLag.worst} is the longest delay within a recent window, including the
 * delay still growing when the loop was blocked until just now. Started by src/engine/liveness.ts.
 */

/** One late tick: when it fired and by how much (ms) it was late. */
interface Sample {
  at: number;
  lagMs: number;
}

/** The event-loop lag monitor. The timer is unref'd: it never keeps the process alive. */
export class EventLoopLag {
  readonly #intervalMs: number;
  readonly #samples: Sample[] = [];
  #last: number;
  #timer: NodeJS.Timeout | null;

  constructor(intervalMs = 100) {
    this.#intervalMs = intervalMs;
    this.#last = performance.now();
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    const now = performance.now();
    const lagMs = Math.max(0, now - this.#last - this.#intervalMs);
    this.#last = now;
    // Only delays that matter are kept (a few ms are scheduling noise).
    if (lagMs >= 50) this.#samples.push({ at: now, lagMs });
    // Keep at most a few minutes' worth of samples.
    while (this.#samples.length > 0 && now - this.#samples[0]!.at > 300_000) this.#samples.shift();
  }

  /** The longest delay (seconds) seen within the last `windowSeconds`, or the one still growing now. */
  worst(windowSeconds: number): number {
    const now = performance.now();
    const ongoing = Math.max(0, now - this.#last - this.#intervalMs);
    let worst = ongoing;
    for (const s of this.#samples) if (now - s.at <= windowSeconds * 1000) worst = Math.max(worst, s.lagMs);
    return worst / 1000;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
