/**
 * Gives memory back to the system after a wave of object actors ended (passivated, or their objects gone):
 * once the wave is over, one compacting, memory-reducing garbage collection. Without it V8 keeps every page
 * the burst grew into (a resume of 10,000 objects left 200 MiB of heap committed around 28 MiB of live
 * objects, docs/benchmarks.md), because a regular collection does not compact the pages the few survivors
 * (the passivated records) are scattered over, and an idle process runs no collection at all.
 * Created by src/engine/operator.ts (unless `settings.execution.releaseMemoryAfter` is null) for its dispatcher.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Logger } from '../observe/log.ts';

/** When a release runs. */
export interface MemoryReleaseOptions {
  /** Actors that must have ended since the last release (default 500). */
  threshold?: number;
  /** Quiet time after the last ended actor before releasing, ms (default 2,000). */
  quietMs?: number;
  /** Longest wait after the threshold was reached, for a wave that does not end, ms (default 30,000). */
  maxWaitMs?: number;
  /** Shortest time between two releases, ms (default 10,000: a release of a 20 MiB live heap takes about 30 ms). */
  minIntervalMs?: number;
}

type Collect = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** V8's collector: the global `gc` when Node was started with --expose-gc, else one from a fresh context. */
let collector: Collect | null | undefined;

/** V8's garbage collector as a function, or null where it cannot be had. */
export function garbageCollector(): Collect | null {
  if (collector !== undefined) return collector;
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (typeof exposed === 'function') return (collector = exposed);
  try {
    // The flag applies to contexts created after it: a new context gets `gc` without exposing it to user code.
    v8.setFlagsFromString('--expose-gc');
    const found = vm.runInNewContext('gc') as unknown;
    collector = typeof found === 'function' ? (found as Collect) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/** Counts ended actors and runs a memory-reducing collection after each wave of them. */
export class MemoryRelease {
  readonly #threshold: number;
  readonly #quietMs: number;
  readonly #maxWaitMs: number;
  readonly #minIntervalMs: number;
  readonly #logger: Logger;
  #ended = 0;
  #reachedAt = 0;
  #lastEndedAt = 0;
  #lastReleaseAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #releases = 0;

  constructor(logger: Logger, options: MemoryReleaseOptions = {}) {
    this.#logger = logger;
    this.#threshold = options.threshold ?? 500;
    this.#quietMs = options.quietMs ?? 2_000;
    this.#maxWaitMs = options.maxWaitMs ?? 30_000;
    this.#minIntervalMs = options.minIntervalMs ?? 10_000;
  }

  /** How many releases ran so far. */
  get releases(): number {
    return this.#releases;
  }

  /** One actor ended: its memory is garbage now. Cheap: one timer per wave, re-armed only when it fires early. */
  ended(): void {
    this.#ended++;
    this.#lastEndedAt = Date.now();
    if (this.#ended < this.#threshold || this.#timer) return;
    this.#reachedAt = this.#lastEndedAt;
    this.#arm();
  }

  /** When the release is due: the wave quiet (or going on too long), and the shortest interval passed. */
  #due(): number {
    return Math.max(
      Math.min(this.#lastEndedAt + this.#quietMs, this.#reachedAt + this.#maxWaitMs),
      this.#lastReleaseAt + this.#minIntervalMs,
    );
  }

  /** Sleeps until the release is due; an actor that ended meanwhile moves the due time on. */
  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (Date.now() >= this.#due()) this.#release();
      else this.#arm();
    }, Math.max(0, this.#due() - Date.now()));
    this.#timer.unref();
  }

  /** Cancels a pending release (the operator stops). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #release(): void {
    this.#timer = undefined;
    const ended = this.#ended;
    this.#ended = 0;
    this.#lastReleaseAt = Date.now();
    const collect = garbageCollector();
    if (!collect) return;
    const before = process.memoryUsage();
    const t0 = performance.now();
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const ms = performance.now() - t0;
    const after = process.memoryUsage();
    this.#releases++;
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
    this.#logger.info(
      `Released memory after ${ended} actors ended: heap ${mib(before.heapTotal)} → ${mib(after.heapTotal)} MiB, RSS ${mib(before.rss)} → ${mib(after.rss)} MiB, in ${ms.toFixed(0)} ms.`,
    );
  }
}
