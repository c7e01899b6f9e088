/**
 * Scenario (b): create, update and delete handlers (create and update return results, delete needs the
 * finalizer); the driver creates N objects, then updates every one (spec.round = 1), then deletes every one.
 * Measured per step: the time until every object shows the create result, the update result, and is gone.
 * Run for kopf-ts, Kopf and the bare client, one after another. Called by bench/run.ts (and by scenario e).
 */
import type { Bench } from '../cluster.ts';
import { body, names } from '../cluster.ts';
import { collection, DIFF_BASE, FINALIZER, Limiter, type KubeObject, type Tracker } from '../http.ts';
import type { Impl } from '../processes.ts';
import { printTable } from '../table.ts';
import { later, RATIO_NOTE, recordThroughput, readsNote, THROUGHPUT_HEADER, throughputGoals, throughputRows, type PhaseResult, type Who } from './common.ts';

const SPEC = { field: 'value', round: 0 };
const created = (obj: KubeObject | undefined): boolean => !!obj?.status?.create_fn;
const updated = (obj: KubeObject | undefined): boolean => obj?.status?.update_fn?.round === 1;
const gone = (obj: KubeObject | undefined): boolean => obj === undefined;
const MERGE = 'application/merge-patch+json';

/** Reacts to each step of the driver; `react` is the bare client's writes (none for an operator). */
interface Reactor {
  created?(ns: string, name: string): Promise<void>;
  updated?(ns: string, name: string): Promise<void>;
  deleted?(ns: string, name: string): Promise<void>;
}

/** The three steps, timed; the driver acts with `--concurrency` in flight, then waits for the tracker. */
export async function steps(bench: Bench, tracker: Tracker, objs: string[], who: string, reactor: Reactor): Promise<[string, number][]> {
  const ns = tracker.namespace;
  const c = bench.options.concurrency;
  const timeout = bench.options.timeoutMs;
  const out: [string, number][] = [];
  const step = async (name: string, pred: (o: KubeObject | undefined) => boolean, act: (obj: string) => Promise<void>, react?: (ns: string, obj: string) => Promise<void>): Promise<void> => {
    const t0 = performance.now();
    const done = later(tracker.until(objs, pred, timeout, `${who}: ${name} of ${objs.length} objects`));
    const driver = new Limiter(c);
    const writes = new Limiter(bench.options.bareConcurrency);
    for (const obj of objs) {
      void driver.run(async () => {
        await act(obj);
        if (react) void writes.run(() => react(ns, obj));
      });
    }
    await driver.drain();
    await writes.drain();
    await done;
    out.push([name, (performance.now() - t0) / 1000]);
  };
  await step('create', created, (obj) => bench.driver.must('POST', collection(ns), body(obj, SPEC)), reactor.created);
  await step('update', updated, (obj) => bench.driver.must('PATCH', `${collection(ns)}/${obj}`, { spec: { round: 1 } }, MERGE), reactor.updated);
  await step('delete', gone, (obj) => bench.driver.must('DELETE', `${collection(ns)}/${obj}`), reactor.deleted);
  return out;
}

/** `lifetime`: count the requests of the operator's whole life (start, warm-up object, steps, stop). */
async function operatorPhase(bench: Bench, impl: Impl, n: number, scenario: string, lifetime: boolean): Promise<PhaseResult> {
  const ns = await bench.namespace(scenario, impl);
  const tracker = await bench.tracker(ns);
  if (lifetime) await bench.startMeasuring();
  const op = bench.operator(impl, 'lifecycle', ns);
  try {
    await bench.warmUp(tracker, created, SPEC);
    if (!lifetime) await bench.startMeasuring();
    const cpu0 = op.cpuSeconds();
    const result = await steps(bench, tracker, names('obj', n), impl, {});
    const cpuSeconds = op.cpuSeconds() - cpu0;
    const rssBytes = op.rss();
    const heapUsedBytes = impl === 'kopf-ts' ? (await op.memoryUsage()).heapUsed : undefined;
    await op.stop();
    const requests = await bench.stopMeasuring();
    const changes = 3 * n + (lifetime ? 1 : 0);
    return { who: impl, steps: result, changes, requests, driverWrites: changes, rssBytes, cpuSeconds, ...(heapUsedBytes ? { heapUsedBytes } : {}) };
  } finally {
    await op.stop();
    await tracker.stop();
  }
}

/** The bare client: per object, the writes an operator needs (finalizer with the diff-base, results, finalizer removal). */
export async function bareLifecyclePhase(bench: Bench, n: number, scenario: string): Promise<PhaseResult> {
  const ns = await bench.namespace(scenario, 'bare');
  const tracker = await bench.tracker(ns);
  const patch = (name: string, sub: string, body: unknown, type = MERGE): Promise<unknown> => bench.bare.must('PATCH', `${collection(ns)}/${name}${sub}`, body, type);
  try {
    await bench.startMeasuring();
    const result = await steps(bench, tracker, names('obj', n), 'the bare client', {
      created: async (_ns, name) => {
        await patch(name, '', { metadata: { finalizers: [FINALIZER], annotations: { [DIFF_BASE]: JSON.stringify({ spec: SPEC }) } } });
        await patch(name, '/status', { status: { create_fn: { message: 'created' } } });
      },
      updated: async (_ns, name) => {
        await patch(name, '', { metadata: { annotations: { [DIFF_BASE]: JSON.stringify({ spec: { ...SPEC, round: 1 } }) } } });
        await patch(name, '/status', { status: { update_fn: { round: 1 } } });
      },
      deleted: async (_ns, name) => {
        await patch(name, '', [{ op: 'remove', path: '/metadata/finalizers/0' }], 'application/json-patch+json');
      },
    });
    const requests = await bench.stopMeasuring();
    return { who: 'bare', steps: result, changes: 3 * n, requests, driverWrites: 3 * n };
  } finally {
    await tracker.stop();
  }
}

export async function lifecycleResults(bench: Bench, n: number, scenario: string, lifetime = false): Promise<Map<Who, PhaseResult>> {
  const results = new Map<Who, PhaseResult>();
  for (const impl of bench.options.impls) {
    console.error(`(${scenario}) ${impl}: ${n} objects created, updated, deleted…`);
    results.set(impl, await operatorPhase(bench, impl, n, scenario, lifetime));
  }
  console.error(`(${scenario}) bare client: ${n} objects…`);
  results.set('bare', await bareLifecyclePhase(bench, n, scenario));
  return results;
}

export async function scenarioB(bench: Bench, n: number): Promise<Map<Who, PhaseResult>> {
  const results = await lifecycleResults(bench, n, 'b');
  recordThroughput('b', n, results);
  printTable({
    title: `(b) ${n} objects created, updated and deleted; create, update and delete handlers (driver concurrency ${bench.options.concurrency}, bare client ${bench.options.bareConcurrency})`,
    header: THROUGHPUT_HEADER,
    rows: throughputRows(results),
    notes: [RATIO_NOTE, readsNote(results), ...throughputGoals(results)],
  });
  return results;
}
