/**
 * Scenario (g), churn (issue 16): one operator lives through R rounds (default 10) of the lifecycle of N new
 * objects (created, updated, deleted: scenario b's steps and handlers). After each round the operator's RSS is
 * read once it settled, and its CPU time (user + system, /proc) of the round is divided by the round's changes.
 * Goal: no growth (the last round's RSS within 10 % of the first's). kopf-ts and Kopf one after another.
 * Called by bench/run.ts.
 */
import type { Bench } from '../cluster.ts';
import { names } from '../cluster.ts';
import type { KubeObject } from '../http.ts';
import type { Impl } from '../processes.ts';
import { fmt, printTable } from '../table.ts';
import { steps } from './b-lifecycle.ts';
import { settledRss } from './c-idle.ts';
import { record } from '../results.ts';

const MiB = 2 ** 20;
const created = (obj: KubeObject | undefined): boolean => !!obj?.status?.create_fn;

/** One implementation's rounds. */
export interface ChurnResult {
  /** RSS after each round, bytes. */
  rss: number[];
  /** CPU ms per handled change, per round. */
  cpuMsPerChange: number[];
  /** Seconds per round. */
  seconds: number[];
  /** kopf-ts only: heap used after a forced GC, after each round (tells a leak from heap headroom). */
  heapUsed?: number[];
}

async function churn(bench: Bench, impl: Impl, n: number, rounds: number): Promise<ChurnResult> {
  const ns = await bench.namespace('g', impl);
  const tracker = await bench.tracker(ns);
  const op = bench.operator(impl, 'lifecycle', ns);
  const out: ChurnResult = { rss: [], cpuMsPerChange: [], seconds: [] };
  try {
    await bench.warmUp(tracker, created, { field: 'value', round: 0 });
    for (let round = 1; round <= rounds; round++) {
      const cpu0 = op.cpuSeconds();
      const t0 = performance.now();
      await steps(bench, tracker, names(`r${round}`, n), impl, {});
      out.seconds.push((performance.now() - t0) / 1000);
      out.cpuMsPerChange.push(((op.cpuSeconds() - cpu0) * 1000) / (3 * n));
      if (impl === 'kopf-ts') (out.heapUsed ??= []).push((await op.memoryUsage()).heapUsed);
      out.rss.push(await settledRss(op, 20));
      console.error(`(g) ${impl}: round ${round}: ${fmt(out.rss.at(-1)! / MiB, 1)} MiB, ${fmt(out.cpuMsPerChange.at(-1), 3)} CPU ms per change`);
    }
    const releases = [...op.output.matchAll(/Released memory after .*/g)].map(([line]) => line);
    if (releases.length) console.error(`(g) ${impl}: ${releases.length} memory releases, e.g. ${releases.at(-1)}`);
    return out;
  } finally {
    await op.stop();
    await tracker.stop();
  }
}

export async function scenarioG(bench: Bench, n: number, rounds = 10): Promise<Map<Impl, ChurnResult>> {
  const results = new Map<Impl, ChurnResult>();
  for (const impl of bench.options.impls) {
    console.error(`(g) ${impl}: ${rounds} rounds of ${n} objects created, updated, deleted…`);
    results.set(impl, await churn(bench, impl, n, rounds));
  }
  for (const [impl, r] of results) record(`g/${impl}`, { n, rounds, ...r });
  const ts = results.get('kopf-ts');
  const kopf = results.get('Kopf');
  const rows: string[][] = [];
  for (let i = 0; i < rounds; i++) {
    const cell = (r: ChurnResult | undefined): string =>
      r ? `${fmt(r.rss[i]! / MiB, 1)} MiB${r.heapUsed ? ` (heap ${fmt(r.heapUsed[i]! / MiB, 1)})` : ''}, ${fmt(r.cpuMsPerChange[i], 3)} ms` : '–';
    rows.push([String(i + 1), cell(ts), cell(kopf)]);
  }
  const growth = (r: ChurnResult | undefined): string => (r ? `${fmt((100 * (r.rss.at(-1)! - r.rss[0]!)) / r.rss[0]!, 1)} %` : '–');
  rows.push(['growth, last round vs first', growth(ts), growth(kopf)]);
  const notes = ['RSS after each round once settled (< 1 MiB change over 3 s); CPU: user + system time of the operator process (and its children) during the round, per handled change (3 per object).'];
  if (ts) notes.push(`goal (issue 16) RSS after ${rounds} rounds within 10 % of the first: ${ts.rss.at(-1)! <= ts.rss[0]! * 1.1 ? 'met' : 'MISSED'} (${growth(ts)})`);
  printTable({ title: `(g) churn: ${rounds} rounds of ${n} objects created, updated, deleted (RSS after the round, CPU ms per change)`, header: ['round', 'kopf-ts', 'Kopf'], rows, notes });
  return results;
}
