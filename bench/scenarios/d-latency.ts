/**
 * Scenario (d): event-to-handler latency under steady churn. M objects are created and handled; then the
 * driver patches `spec.stamp = Date.now()` of one object after another at a fixed rate for a fixed time. The
 * operator's update handler prints `BENCH-LAT <now − stamp>` (bench/kopf-ts/latency.ts, bench/kopf/latency.py);
 * the bare client's figure is the same delay measured when the change arrives on a plain watch (the floor:
 * apiserver write + watch delivery). Updates coalesced by an operator (two changes of one object handled
 * at once) print one line. Called by bench/run.ts.
 */
import type { Bench } from '../cluster.ts';
import { names } from '../cluster.ts';
import { total, WRITE_VERBS } from '../apiserver-metrics.ts';
import { collection, DIFF_BASE, type KubeObject, type Tracker } from '../http.ts';
import type { Impl } from '../processes.ts';
import { fmt, percentile, printTable, ratio } from '../table.ts';
import type { PhaseRequests } from '../cluster.ts';
import { record } from '../results.ts';

const handled = (obj: KubeObject | undefined): boolean => !!obj?.metadata.annotations?.[DIFF_BASE];

interface LatencyResult {
  latencies: number[];
  sent: number;
  requests: PhaseRequests | null;
}

/** Patches spec.stamp of objects round-robin at `rate` per second for `seconds`; resolves with the count. */
async function churn(bench: Bench, ns: string, objs: string[], rate: number, seconds: number): Promise<number> {
  const count = Math.round(rate * seconds);
  const t0 = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const name = objs[i % objs.length]!;
    inFlight.push(bench.driver.must('PATCH', `${collection(ns)}/${name}`, { spec: { stamp: Date.now() } }, 'application/merge-patch+json'));
  }
  await Promise.all(inFlight);
  return count;
}

async function prepare(bench: Bench, tracker: Tracker, m: number, who: string, pred: (o: KubeObject | undefined) => boolean): Promise<string[]> {
  const objs = names('churn', m);
  await bench.createObjects(tracker.namespace, objs, { stamp: 0 });
  await tracker.until(objs, pred, bench.options.timeoutMs, `${who} to handle ${m} objects`);
  return objs;
}

async function operatorPhase(bench: Bench, impl: Impl, m: number, rate: number, seconds: number): Promise<LatencyResult> {
  const ns = await bench.namespace('d', impl);
  const tracker = await bench.tracker(ns);
  const op = bench.operator(impl, 'latency', ns);
  try {
    await bench.warmUp(tracker, handled);
    const objs = await prepare(bench, tracker, m, impl, handled);
    await bench.startMeasuring();
    const from = op.output.length;
    const sent = await churn(bench, ns, objs, rate, seconds);
    // Wait until every change was handled, or the output stopped growing for 3 s (coalesced changes).
    let lines = 0;
    for (let quiet = 0; quiet < 30 && lines < sent; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = (op.output.slice(from).match(/BENCH-LAT /g) ?? []).length;
      quiet = now === lines ? quiet + 1 : 0;
      lines = now;
    }
    await op.stop();
    const requests = await bench.stopMeasuring();
    const latencies = [...op.output.slice(from).matchAll(/BENCH-LAT (-?[\d.]+)/g)].map((x) => Number(x[1]));
    return { latencies, sent, requests };
  } finally {
    await op.stop();
    await tracker.stop();
  }
}

async function barePhase(bench: Bench, m: number, rate: number, seconds: number): Promise<LatencyResult> {
  const ns = await bench.namespace('d', 'bare');
  const tracker = await bench.tracker(ns);
  try {
    const objs = await prepare(bench, tracker, m, 'the bench', (o) => !!o);
    const latencies: number[] = [];
    tracker.onEvent((type, obj) => {
      const stamp = obj.spec?.stamp;
      if (type === 'MODIFIED' && typeof stamp === 'number' && stamp > 0) latencies.push(Date.now() - stamp);
    });
    const sent = await churn(bench, ns, objs, rate, seconds);
    await new Promise((r) => setTimeout(r, 1000));
    return { latencies, sent, requests: null };
  } finally {
    await tracker.stop();
  }
}

export async function scenarioD(bench: Bench, m: number, rate: number, seconds: number): Promise<void> {
  const results = new Map<Impl | 'bare', LatencyResult>();
  for (const impl of bench.options.impls) {
    console.error(`(d) ${impl}: ${m} objects, ${rate} updates/s for ${seconds} s…`);
    results.set(impl, await operatorPhase(bench, impl, m, rate, seconds));
  }
  console.error('(d) bare watch…');
  results.set('bare', await barePhase(bench, m, rate, seconds));
  for (const [who, r] of results) {
    const [p50, p90, p99] = [50, 90, 99].map((p) => percentile(r.latencies, p));
    record(`d/${who}`, { m, rate, seconds, calls: r.latencies.length, p50, p90, p99, max: Math.max(...r.latencies) });
  }
  const [ts, kopf, bare] = (['kopf-ts', 'Kopf', 'bare'] as const).map((w) => results.get(w));
  const row = (label: string, f: (r: LatencyResult) => number | undefined, digits?: number): string[] => {
    const [a, b, c] = [ts, kopf, bare].map((r) => (r ? f(r) : undefined));
    return [label, fmt(a, digits), fmt(b, digits), fmt(c, digits), ratio(b, a), ratio(c, a)];
  };
  const writes = (r: LatencyResult, who: string): number | undefined => {
    const own = r.requests?.audit?.get(who);
    return own ? total(own, WRITE_VERBS) / r.latencies.length : undefined;
  };
  printTable({
    title: `(d) event-to-handler latency, ${m} objects, ${rate} updates/s for ${seconds} s`,
    header: ['figure', 'kopf-ts', 'Kopf', 'bare watch', 'kopf-ts vs Kopf', 'kopf-ts vs bare'],
    rows: [
      row('latency p50, ms', (r) => percentile(r.latencies, 50), 1),
      row('latency p90, ms', (r) => percentile(r.latencies, 90), 1),
      row('latency p99, ms', (r) => percentile(r.latencies, 99), 1),
      row('latency max, ms', (r) => Math.max(...r.latencies), 1),
      row('changes sent', (r) => r.sent, 0),
      row('handler calls (coalesced changes call once)', (r) => r.latencies.length, 0),
      row('API writes per handler call (audit log)', (r) => writes(r, r === ts ? 'kopf-ts' : 'Kopf'), 2),
    ],
    notes: ['Latency: from the driver stamping spec.stamp (just before its PATCH) to the handler starting (bare: to the event arriving on a plain watch); wall clocks of the same machine, ms resolution. Ratios: Kopf ÷ kopf-ts (above ×1.00: kopf-ts is faster).'],
  });
}
