/**
 * Shared by the kopf-ts operators of the benchmarks (bench/kopf-ts/*.ts), run by `kopf-ts run` as children of
 * bench/processes.ts: on SIGUSR2 print `BENCH-MEMORY {process.memoryUsage()}` (the bench reads the heap from
 * it), and apply BENCH_QPS (settings.networking.qps, burst = 2×) when the bench was given --ts-qps.
 */
import { isMainThread } from 'node:worker_threads';
import * as kopf from 'kopf-ts';

if (isMainThread) {
  process.on('SIGUSR2', () => {
    console.log(`BENCH-MEMORY ${JSON.stringify(process.memoryUsage())}`);
  });
}

kopf.on.startup(async function bench_settings({ settings }) {
  const qps = Number(process.env.BENCH_QPS ?? 0);
  if (qps > 0) {
    settings.networking.qps = qps;
    settings.networking.burst = 2 * qps;
  }
});
