/**
 * Scenario (c): N idle objects. The operator first runs once to handle a warm-up object (so its diff-base
 * annotation is known), then stops; N objects with the same spec and that annotation are created while no
 * operator runs (so they are "already handled"); then the operator is started again. Measured: the time
 * from the (re)start until its resume handler ran for every object (`BENCH-RESUMED`), the API requests of that
 * start, and RSS (and kopf-ts's heap) once the memory settled. The bare client's figure is the time of a
 * plain paginated LIST of the same objects (the floor of any resuming). Called by bench/run.ts.
 */
import type { Bench } from '../cluster.ts';
import { names } from '../cluster.ts';
import { total, WRITE_VERBS } from '../apiserver-metrics.ts';
import { collection, DIFF_BASE, type KubeObject } from '../http.ts';
import type { Impl, OperatorProcess } from '../processes.ts';
import { fmt, printTable, ratio } from '../table.ts';
import { record } from '../results.ts';
import type { PhaseRequests } from '../cluster.ts';

const SPEC = { field: 'value', items: ['a', 'b', 'c'] };
const handled = (obj: KubeObject | undefined): boolean => !!obj?.metadata.annotations?.[DIFF_BASE];
const MiB = 2 ** 20;

interface IdleResult {
  resumeSeconds: number;
  rssBytes: number;
  /** The operator process's peak RSS (VmHWM) since its restart: the resume burst. */
  peakRssBytes: number;
  heapUsedBytes?: number;
  /** With only the warm-up object. */
  rssBaseBytes: number;
  heapBaseBytes?: number;
  requests: PhaseRequests;
}

/** Samples RSS every second until it moved less than 1 MiB over 3 s (at most `maxSeconds`); returns the last sample. */
export async function settledRss(op: OperatorProcess, maxSeconds = 30): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < maxSeconds; i++) {
    samples.push(op.rss());
    const last = samples.slice(-4);
    if (last.length === 4 && Math.max(...last) - Math.min(...last) < MiB) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return samples[samples.length - 1]!;
}

async function operatorPhase(bench: Bench, impl: Impl, n: number): Promise<IdleResult> {
  const ns = await bench.namespace('c', impl);
  const tracker = await bench.tracker(ns);
  let op = bench.operator(impl, 'idle', ns, { BENCH_EXPECT: '0' });
  try {
    await bench.warmUp(tracker, handled, SPEC);
    // kopf-ts collects its garbage when asked for its heap; ask first, so its RSS is read after that too.
    const heapBaseBytes = impl === 'kopf-ts' ? (await op.memoryUsage()).heapUsed : undefined;
    const rssBaseBytes = await settledRss(op);
    await op.stop();
    const diffBase = tracker.objects.get('warmup')?.metadata.annotations?.[DIFF_BASE];
    if (!diffBase) throw new Error('no diff-base on the warm-up object');
    await tracker.stop(); // the bench's own watch of N objects is not needed from here on
    console.error(`(c) ${impl}: creating ${n} idle objects while no operator runs…`);
    await bench.createObjects(ns, names('idle', n), SPEC, { [DIFF_BASE]: diffBase });

    await bench.startMeasuring();
    const t0 = performance.now();
    op = bench.operator(impl, 'idle', ns, { BENCH_EXPECT: String(n + 1) });
    await op.waitFor(/BENCH-RESUMED/, bench.options.timeoutMs);
    const resumeSeconds = (performance.now() - t0) / 1000;
    // With passivation (issue 16), the idle actors are measured once they could be passivated.
    const passivateAfter = impl === 'kopf-ts' ? passivationDelay(bench.options.tsSettings) : null;
    if (passivateAfter !== null) {
      console.error(`(c) ${impl}: waiting ${passivateAfter + 5} s for the idle actors to passivate…`);
      await new Promise((r) => setTimeout(r, (passivateAfter + 5) * 1000));
    }
    const usage = impl === 'kopf-ts' ? await op.memoryUsage() : undefined;
    const heapUsedBytes = usage?.heapUsed;
    const rssBytes = await settledRss(op);
    const peakRssBytes = op.peakRss();
    if (usage) console.error(`(c) ${impl}: after settling, MiB: ${memoryLine(usage, rssBytes)}`);
    for (const [line] of op.output.matchAll(/Released memory after .*/g)) console.error(`(c) ${impl}: ${line}`);
    await op.stop();
    const requests = await bench.stopMeasuring();
    return { resumeSeconds, rssBytes, peakRssBytes, rssBaseBytes, requests, ...(heapUsedBytes ? { heapUsedBytes, heapBaseBytes } : {}) };
  } finally {
    await op.stop();
    await tracker.stop();
  }
}

/** Where the RSS is: V8's heap (committed, used), memory outside it, and the rest (native allocations, code, pages kept). */
function memoryLine(usage: NodeJS.MemoryUsage, rssBytes: number): string {
  const mib = (b: number): string => (b / MiB).toFixed(1);
  return `rss ${mib(rssBytes)}, heap committed ${mib(usage.heapTotal)}, heap used ${mib(usage.heapUsed)}, external ${mib(usage.external)} (array buffers ${mib(usage.arrayBuffers)})`;
}

/** kopf-ts's settings.execution.passivateAfter in the bench's `--ts-settings` (default 60 s), null: off. */
function passivationDelay(tsSettings: string | undefined): number | null {
  const set = (tsSettings ? (JSON.parse(tsSettings) as { execution?: { passivateAfter?: number | null } }) : {}).execution?.passivateAfter;
  return set === undefined ? 60 : set;
}

/** The floor: one client LISTing the same number of objects, 500 per page. */
async function bareList(bench: Bench, n: number): Promise<number> {
  const ns = await bench.namespace('c', 'bare');
  await bench.createObjects(ns, names('idle', n + 1), SPEC, { [DIFF_BASE]: '{}' });
  const t0 = performance.now();
  let next = '';
  let count = 0;
  do {
    const page = await bench.bare.must('GET', `${collection(ns)}?limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`);
    count += (page.items as unknown[]).length;
    next = page.metadata.continue ?? '';
  } while (next);
  if (count !== n + 1) throw new Error(`listed ${count} objects, not ${n + 1}`);
  return (performance.now() - t0) / 1000;
}

export async function scenarioC(bench: Bench, n: number): Promise<void> {
  const results = new Map<Impl, IdleResult>();
  for (const impl of bench.options.impls) {
    console.error(`(c) ${impl}: ${n} idle objects…`);
    results.set(impl, await operatorPhase(bench, impl, n));
  }
  const listSeconds = await bareList(bench, n);
  for (const [impl, r] of results) record(`c/${impl}/${n}`, { n, rssBytes: r.rssBytes, peakRssBytes: r.peakRssBytes, rssBaseBytes: r.rssBaseBytes, heapUsedBytes: r.heapUsedBytes, heapBaseBytes: r.heapBaseBytes, resumeSeconds: r.resumeSeconds, settings: impl === 'kopf-ts' ? (bench.options.tsSettings ?? null) : null });
  const ts = results.get('kopf-ts');
  const kopf = results.get('Kopf');
  const row = (label: string, f: (r: IdleResult) => number | undefined, bare?: number, digits?: number): string[] => {
    const [a, b] = [ts, kopf].map((r) => (r ? f(r) : undefined));
    return [label, fmt(a, digits), fmt(b, digits), fmt(bare, digits), ratio(b, a), ratio(bare, a)];
  };
  const writes = (r: IdleResult): number | undefined => {
    const own = r.requests.audit?.get(r === ts ? 'kopf-ts' : 'Kopf');
    return own ? total(own, WRITE_VERBS) : undefined;
  };
  const reads = (r: IdleResult): string => {
    const own = r.requests.audit?.get(r === ts ? 'kopf-ts' : 'Kopf');
    if (!own) return '–';
    const reads = [...own].filter(([k]) => !WRITE_VERBS.includes(k.split(' ')[0]!));
    const discovery = reads.filter(([k]) => k.startsWith('get /')).reduce((sum, [, v]) => sum + v, 0);
    return [`${discovery} discovery GETs`, ...reads.filter(([k]) => !k.startsWith('get /')).map(([k, v]) => `${v} ${k}`)].join(', ');
  };
  const notes = [
    'Ratios say how many times better kopf-ts is (Kopf ÷ kopf-ts for times and memory). RSS: VmRSS of the operator process and its children after it settled (< 1 MiB change over 3 s).',
    `Reads of the (re)start, from the audit log: kopf-ts: ${ts ? reads(ts) : '–'}; Kopf: ${kopf ? reads(kopf) : '–'}.`,
  ];
  if (ts && kopf) notes.push(`goal RSS ≤ ⅓ of Kopf's: ${ts.rssBytes * 3 <= kopf.rssBytes ? 'met' : 'MISSED'} (${fmt((100 * ts.rssBytes) / kopf.rssBytes, 0)}% of Kopf's)`);
  printTable({
    title: `(c) ${n} idle objects: memory after settling, and resuming after a restart`,
    header: ['figure', 'kopf-ts', 'Kopf', 'bare client', 'kopf-ts vs Kopf', 'kopf-ts vs bare'],
    rows: [
      row(`seconds from the (re)start until every object was resumed (bare: LIST of ${n + 1})`, (r) => r.resumeSeconds, listSeconds, 2),
      row('API writes during that start', writes, undefined, 0),
      row('LIST requests of KopfExamples during that start', (r) => r.requests.audit?.get(r === ts ? 'kopf-ts' : 'Kopf')?.get('list kopfexamples'), undefined, 0),
      row('RSS after settling, MiB', (r) => r.rssBytes / MiB, undefined, 1),
      row('peak RSS since the restart (VmHWM of the process), MiB', (r) => r.peakRssBytes / MiB, undefined, 1),
      row('RSS with one object (before), MiB', (r) => r.rssBaseBytes / MiB, undefined, 1),
      row('RSS per idle object, KiB', (r) => (r.rssBytes - r.rssBaseBytes) / n / 1024, undefined, 2),
      row('heap used after settling, MiB (kopf-ts only)', (r) => (r.heapUsedBytes ? r.heapUsedBytes / MiB : undefined), undefined, 1),
      row('heap used with one object, MiB (kopf-ts only)', (r) => (r.heapBaseBytes ? r.heapBaseBytes / MiB : undefined), undefined, 1),
    ],
    notes,
  });
}
