/**
 * Scenario (a): N objects are created (by the driver, `--concurrency` at a time) in a namespace served by one
 * create handler returning a result; measured: the time from the first create until every object shows
 * `status.create_fn`. Run for kopf-ts, Kopf and the bare client, one after another. Called by bench/run.ts.
 */
import type { Bench } from '../cluster.ts';
import { body, names } from '../cluster.ts';
import { collection, DIFF_BASE, Limiter, type KubeObject } from '../http.ts';
import type { Impl } from '../processes.ts';
import { printTable } from '../table.ts';
import { later, RATIO_NOTE, recordThroughput, readsNote, THROUGHPUT_HEADER, throughputGoals, throughputRows, type PhaseResult, type Who } from './common.ts';

const SPEC = { field: 'value', items: ['a', 'b', 'c'] };
const hasResult = (obj: KubeObject | undefined): boolean => !!obj?.status?.create_fn;

async function operatorPhase(bench: Bench, impl: Impl, n: number): Promise<PhaseResult> {
  const ns = await bench.namespace('a', impl);
  const tracker = await bench.tracker(ns);
  const op = bench.operator(impl, 'create', ns);
  try {
    await bench.warmUp(tracker, hasResult);
    await bench.startMeasuring();
    const objs = names('obj', n);
    const t0 = performance.now();
    const cpu0 = op.cpuSeconds();
    const done = later(tracker.until(objs, hasResult, bench.options.timeoutMs, `${impl} to handle ${n} creations`));
    await bench.createObjects(ns, objs, SPEC);
    await done;
    const elapsed = (performance.now() - t0) / 1000;
    const cpuSeconds = op.cpuSeconds() - cpu0;
    const rssBytes = op.rss();
    const heapUsedBytes = impl === 'kopf-ts' ? (await op.memoryUsage()).heapUsed : undefined;
    await op.stop();
    const requests = await bench.stopMeasuring();
    return { who: impl, steps: [['create', elapsed]], changes: n, requests, driverWrites: n, rssBytes, cpuSeconds, ...(heapUsedBytes ? { heapUsedBytes } : {}) };
  } finally {
    await op.stop();
    await tracker.stop();
  }
}

/** The bare client: what an operator must write for each new object (diff-base, result), as soon as it exists. */
async function barePhase(bench: Bench, n: number): Promise<PhaseResult> {
  const ns = await bench.namespace('a', 'bare');
  const tracker = await bench.tracker(ns);
  try {
    await bench.startMeasuring();
    const objs = names('obj', n);
    const writes = new Limiter(bench.options.bareConcurrency);
    const diffBase = JSON.stringify({ spec: SPEC });
    const t0 = performance.now();
    const done = later(tracker.until(objs, hasResult, bench.options.timeoutMs, `the bare client to handle ${n} creations`));
    const limiter = new Limiter(bench.options.concurrency);
    for (const name of objs) {
      void limiter.run(async () => {
        await bench.driver.must('POST', collection(ns), body(name, SPEC));
        void writes.run(async () => {
          await bench.bare.must('PATCH', `${collection(ns)}/${name}`, { metadata: { annotations: { [DIFF_BASE]: diffBase } } }, 'application/merge-patch+json');
          await bench.bare.must('PATCH', `${collection(ns)}/${name}/status`, { status: { create_fn: { message: 'hello' } } }, 'application/merge-patch+json');
        });
      });
    }
    await limiter.drain();
    await writes.drain();
    await done;
    const elapsed = (performance.now() - t0) / 1000;
    const requests = await bench.stopMeasuring();
    return { who: 'bare', steps: [['create', elapsed]], changes: n, requests, driverWrites: n };
  } finally {
    await tracker.stop();
  }
}

export async function scenarioA(bench: Bench, n: number): Promise<Map<Who, PhaseResult>> {
  const results = new Map<Who, PhaseResult>();
  for (const impl of bench.options.impls) {
    console.error(`(a) ${impl}: ${n} objects…`);
    results.set(impl, await operatorPhase(bench, impl, n));
  }
  console.error(`(a) bare client: ${n} objects…`);
  results.set('bare', await barePhase(bench, n));
  recordThroughput('a', n, results);
  printTable({
    title: `(a) create ${n} objects, one create handler returning a result (driver concurrency ${bench.options.concurrency}, bare client ${bench.options.bareConcurrency})`,
    header: THROUGHPUT_HEADER,
    rows: throughputRows(results),
    notes: [RATIO_NOTE, readsNote(results), ...throughputGoals(results)],
  });
  return results;
}

export { barePhase as bareCreatePhase };
