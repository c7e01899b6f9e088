/**
 * A client-side token-bucket rate limiter (requests per second with a burst), so an operator never floods
 * the API server (Kopf has none). Used by client.ts before every request; the clock is a parameter for tests.
 */

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained requests per second; 0 or Infinity disables limiting. */
  qps: number;
  /** Requests allowed at once above the sustained rate. */
  burst: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Token bucket: `acquire()` resolves when a request may go. */
export class RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #tokens: number;
  #last: number;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: RateLimiterOptions) {
    this.#qps = options.qps;
    this.#burst = Math.max(1, options.burst);
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  /** Waits for a token (FIFO). */
  acquire(): Promise<void> {
    if (!(this.#qps > 0) || this.#qps === Number.POSITIVE_INFINITY) return Promise.resolve();
    const next = this.#chain.then(() => this.#take());
    this.#chain = next.catch(() => {});
    return next;
  }

  async #take(): Promise<void> {
    for (;;) {
      const now = this.#now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await this.#sleep(((1 - this.#tokens) / this.#qps) * 1000);
    }
  }
}
