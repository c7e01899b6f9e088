/**
 * Shared by the kopf-ts operators of the benchmarks (bench/kopf-ts/*.ts), run by `kopf-ts run` as children of
 * bench/processes.ts: on SIGUSR2 collect garbage and print `BENCH-MEMORY {process.memoryUsage()}` (the bench reads the heap from
 * it; with BENCH_HEAPSNAPSHOT=PREFIX it also writes a heap snapshot to PREFIX-<ms>.heapsnapshot), and apply BENCH_QPS (settings.networking.qps, burst = 2×) and BENCH_TS_SETTINGS (JSON merged into the
 * settings, e.g. `{"networking":{"http2":true}}`) when the bench was given --ts-qps / --ts-settings.
 */
import { isMainThread } from 'node:worker_threads';
import v8 from 'node:v8';
import * as kopf from 'kopf-ts';

if (isMainThread) {
  process.on('SIGUSR2', () => {
    // Live memory, not garbage waiting for the next collection (the bench starts node with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    if (process.env.BENCH_HEAPSNAPSHOT) v8.writeHeapSnapshot(`${process.env.BENCH_HEAPSNAPSHOT}-${Date.now()}.heapsnapshot`);
    console.log(`BENCH-MEMORY ${JSON.stringify(process.memoryUsage())}`);
  });
}

function merge(target: Record<string, any>, patch: Record<string, any>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') merge(target[key], value);
    else target[key] = value;
  }
}

kopf.on.startup(async function bench_settings({ settings }) {
  if (process.env.BENCH_TS_SETTINGS) merge(settings as unknown as Record<string, any>, JSON.parse(process.env.BENCH_TS_SETTINGS));
  const qps = Number(process.env.BENCH_QPS ?? 0);
  if (qps > 0) {
    settings.networking.qps = qps;
    settings.networking.burst = 2 * qps;
  }
});
