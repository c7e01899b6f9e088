/**
 * Benchmark (prints figures; not a test): the cost of running a sync handler on the worker pool.
 *   1. per-call overhead of a trivial handler: offloaded vs inline (sequential calls through invokeHandler);
 *   2. throughput of a CPU-bound handler on a pool of 1 vs 2 threads (all calls in flight at once).
 * Run: npx node --import tsx bench/pool-overhead.ts [cpuIterations=2000000] [cpuCalls=40]
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getDefaultRegistry } from '../src/handlers/registry.ts';
import { invokeHandler, type InvocableHandler } from '../src/execution/invoke.ts';
import { WorkerPool } from '../src/execution/pool.ts';

const operatorUrl = new URL('../test/fixtures/execution/operator.ts', import.meta.url).href;
await import(operatorUrl);
const cpuIterations = Number(process.argv[2] ?? 2_000_000);
const cpuCalls = Number(process.argv[3] ?? 40);

function handler(id: string, extra: Partial<InvocableHandler> = {}): InvocableHandler {
  const h = getDefaultRegistry()
    .all()
    .find((x) => x.id === id);
  if (!h) throw new Error(`no handler ${id}`);
  return { ...h, ...extra };
}

async function sequential(
  h: InvocableHandler,
  pool: WorkerPool,
  calls: number,
  kwargs: Record<string, unknown> = {},
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const { outcome } = await invokeHandler({ handler: h, kwargs, pool });
    if (!outcome.final || outcome.exception) throw outcome.exception ?? new Error('not final');
  }
  return (performance.now() - t0) / calls;
}

async function parallel(
  h: InvocableHandler,
  pool: WorkerPool,
  calls: number,
  kwargs: Record<string, unknown>,
): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: calls }, () => invokeHandler({ handler: h, kwargs, pool })));
  return calls / ((performance.now() - t0) / 1000);
}

console.log(`node ${process.version}, ${availableParallelism()} cores`);

// 1. Per-call overhead of a trivial handler.
const pool = new WorkerPool({ moduleUrls: [operatorUrl], minThreads: 1, maxThreads: 1 });
const t0 = performance.now();
await invokeHandler({ handler: handler('trivial'), kwargs: {}, pool });
console.log(
  `first call on a new pool (thread start + operator import): ${(performance.now() - t0).toFixed(1)} ms`,
);
await sequential(handler('trivial'), pool, 500);
const body = {
  metadata: { name: 'x', namespace: 'ns', labels: { a: 'b' } },
  spec: { items: Array.from({ length: 100 }, (_, i) => ({ i, name: `item-${i}` })) },
};
const offloaded = await sequential(handler('trivial'), pool, 5000);
const offloadedBody = await sequential(handler('trivial'), pool, 2000, { body, spec: body.spec });
const inline = await sequential(handler('trivial', { offload: false }), pool, 20000);
console.log(
  `trivial handler, per call: offloaded ${(offloaded * 1000).toFixed(1)} µs, inline ${(inline * 1000).toFixed(2)} µs`,
);
console.log(
  `trivial handler with a ${JSON.stringify(body).length}-byte body in kwargs, offloaded: ${(offloadedBody * 1000).toFixed(1)} µs per call`,
);
await pool.close();

// 2. Throughput of a CPU-bound handler: 1 vs 2 threads, and inline for reference.
const cpu = handler('cpu');
const kwargs = { param: cpuIterations };
for (const threads of [1, 2]) {
  const p = new WorkerPool({ moduleUrls: [operatorUrl], minThreads: threads, maxThreads: threads });
  await parallel(cpu, p, threads * 2, kwargs); // warm-up: start every thread
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const rate = await parallel(cpu, p, cpuCalls, kwargs);
  lag.disable();
  console.log(
    `cpu handler (${cpuIterations} iterations), ${threads} thread${threads > 1 ? 's' : ''}: ${rate.toFixed(1)} calls/s; event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`,
  );
  await p.close();
}
const inlineStart = performance.now();
const inlineCpu = await sequential(
  handler('cpu', { offload: false }),
  pool,
  Math.max(4, cpuCalls / 4),
  kwargs,
);
// No timer can fire while inline calls chain through microtasks: the loop is blocked for the whole run.
console.log(`cpu handler inline: ${(1000 / inlineCpu).toFixed(1)} calls/s; the event loop is blocked for the whole run (${(performance.now() - inlineStart).toFixed(0)} ms)`);
