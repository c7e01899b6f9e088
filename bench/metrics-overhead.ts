/**
 * Benchmark (prints figures; not a test): what `--metrics` costs, in isolation from the API server's noise.
 *   1. the hot paths: nanoseconds per recording call (a handler run with its duration, an API request with its
 *      latency, a coalesced event, a watch event), against a loop that records nothing;
 *   2. a scrape: milliseconds to collect and format the metrics with N live actors (their states read at scrape
 *      time) and H handlers × 4 causes × 2 outcomes of series;
 *   3. the heap the metrics hold after that.
 * Run: npx node --expose-gc --import tsx bench/metrics-overhead.ts [actors=10000] [handlers=20] [calls=1000000]
 */
import { OperatorMetrics } from '../src/observe/metrics.ts';

const actors = Number(process.argv[2] ?? 10_000);
const handlers = Number(process.argv[3] ?? 20);
const calls = Number(process.argv[4] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const STATES = ['idle', 'idle', 'idle', 'idle', 'idle', 'idle', 'idle', 'creating', 'updating', 'retrying'];
const CAUSES = ['create', 'update', 'resume', 'delete'];

gc();
const heapBefore = process.memoryUsage().heapUsed;
const metrics = new OperatorMetrics();
const states = Array.from({ length: actors }, (_, i) => STATES[i % STATES.length]!);
metrics.setSources({ actorStates: () => states, passivatedActors: () => 0 });

/** ns per iteration of `body`, the best of 3 rounds. */
function perCall(body: (i: number) => void): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) body(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / calls);
  }
  return best;
}

let sink = 0;
const baseline = perCall((i) => {
  sink += i & 1;
});
const ids = Array.from({ length: handlers }, (_, i) => `handler_${i}`);
const rows: [string, number][] = [
  [
    'handlerRun (counter + duration histogram)',
    perCall((i) =>
      metrics.handlerRun(ids[i % handlers]!, CAUSES[i & 3]!, i % 10 ? 'success' : 'temporary', 0.004),
    ),
  ],
  [
    'apiRequest (counter + latency histogram)',
    perCall((i) => metrics.apiRequest(i & 1 ? 'patch' : 'get', 'kopfexamples', 200, 0.003)),
  ],
  ['eventCoalesced (counter)', perCall(() => metrics.eventCoalesced('kopfexamples'))],
  ['watchEvent (counter)', perCall((i) => metrics.watchEvent('kopfexamples', i & 1 ? 'MODIFIED' : 'ADDED'))],
];

const scrapes: number[] = [];
let text = '';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  text = await metrics.scrape();
  scrapes.push(performance.now() - t0);
}
gc();
const heapAfter = process.memoryUsage().heapUsed;
metrics.close();

console.log(
  `${calls} calls per figure (best of 3), ${handlers} handler ids; ${actors} actors at a scrape; node ${process.version}`,
);
console.log(`  an empty loop: ${baseline.toFixed(1)} ns per iteration`);
for (const [what, ns] of rows) console.log(`  ${what}: ${(ns - baseline).toFixed(0)} ns per call`);
scrapes.sort((a, b) => a - b);
console.log(
  `  a scrape (${(text.length / 1024).toFixed(0)} KiB of text): median ${scrapes[2]!.toFixed(1)} ms, max ${scrapes[4]!.toFixed(1)} ms`,
);
console.log(`  the metrics' heap after that: ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB`);
if (sink < 0) console.log(sink);
