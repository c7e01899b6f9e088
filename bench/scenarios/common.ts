/**
 * What the scenarios share: the result of one measured phase (kopf-ts, Kopf or the bare client), the
 * requests attributed to the client under test, and the rows common to their tables (requests per change,
 * memory, ratios and goals). Called by bench/scenarios/*.ts.
 */
import { total, WRITE_VERBS, type Counts } from '../apiserver-metrics.ts';
import type { PhaseRequests } from '../cluster.ts';
import { fmt, ratio } from '../table.ts';
import { record } from '../results.ts';

/** Records a throughput scenario's figures for the charts (bench/charts.ts). */
export function recordThroughput(scenario: string, n: number, results: Map<Who, PhaseResult>): void {
  for (const [who, r] of results) record(`${scenario}/${who}`, { n, changes: r.changes, seconds: seconds(r), rate: rate(r), cpuSeconds: r.cpuSeconds, rssBytes: r.rssBytes });
}

/** Who ran a phase. */
export type Who = 'kopf-ts' | 'Kopf' | 'bare';

/** One measured phase. */
export interface PhaseResult {
  who: Who;
  /** Seconds of each timed step (e.g. create, update, delete), in order. */
  steps: [string, number][];
  /** Handled changes (objects × causes). */
  changes: number;
  requests: PhaseRequests;
  /** Writes the driver made during the phase (subtracted from the /metrics diff). */
  driverWrites: number;
  rssBytes?: number;
  heapUsedBytes?: number;
  /** The operator's own CPU seconds (user + system, /proc) during the timed steps. */
  cpuSeconds?: number;
}

export function seconds(result: PhaseResult | undefined): number | undefined {
  return result ? result.steps.reduce((s, [, t]) => s + t, 0) : undefined;
}

export function rate(result: PhaseResult | undefined): number | undefined {
  const s = seconds(result);
  return result && s ? result.changes / s : undefined;
}

/** The client's own requests in the phase, from the audit log (by user agent). */
export function ownRequests(result: PhaseResult): Counts | undefined {
  return result.requests.audit?.get(result.who);
}

/** The client's writes to KopfExamples and Events per handled change, from the /metrics diff minus the driver's writes. */
export function metricsWritesPerChange(result: PhaseResult): number {
  const writes = total(result.requests.metrics, WRITE_VERBS, /^(kopfexamples|events)/);
  return (writes - result.driverWrites) / result.changes;
}

export function auditPerChange(result: PhaseResult, verbs?: string[]): number | undefined {
  const own = ownRequests(result);
  return own ? total(own, verbs) / result.changes : undefined;
}

/** Rows of the table of a throughput scenario (a, b): times, rates, requests, memory; with ratios. */
export function throughputRows(results: Map<Who, PhaseResult>): string[][] {
  const ts = results.get('kopf-ts');
  const kopf = results.get('Kopf');
  const bare = results.get('bare');
  const row = (label: string, f: (r: PhaseResult) => number | undefined, digits?: number, lowerIsBetter = true): string[] => {
    const [a, b, c] = [ts, kopf, bare].map((r) => (r ? f(r) : undefined));
    // Ratios are "how many times better kopf-ts is": Kopf/kopf-ts for times and costs, kopf-ts/Kopf for rates.
    const vsKopf = lowerIsBetter ? ratio(b, a) : ratio(a, b);
    const vsBare = lowerIsBetter ? ratio(c, a) : ratio(a, c);
    return [label, fmt(a, digits), fmt(b, digits), fmt(c, digits), vsKopf, vsBare];
  };
  const steps = (ts ?? kopf ?? bare)?.steps.map(([name]) => name) ?? [];
  const rows = steps.map((name, i) => row(`${name}: seconds until all visible`, (r) => r.steps[i]?.[1], 2));
  rows.push(row('total seconds', (r) => seconds(r), 2));
  rows.push(row('handled changes per second', (r) => rate(r), 1, false));
  rows.push(row('API writes per change (audit log)', (r) => auditPerChange(r, WRITE_VERBS), 2));
  rows.push(row('API writes per change (/metrics diff)', (r) => metricsWritesPerChange(r), 2));
  rows.push(row('API reads per change after the start (audit log)', (r) => auditPerChange(r, ['get', 'list', 'watch']), 3));
  rows.push(row('operator CPU ms per handled change (user + system, /proc)', (r) => (r.cpuSeconds !== undefined ? (1000 * r.cpuSeconds) / r.changes : undefined), 3));
  rows.push(row('operator RSS at the end, MiB', (r) => (r.rssBytes ? r.rssBytes / 2 ** 20 : undefined), 1));
  return rows;
}

export const THROUGHPUT_HEADER = ['figure', 'kopf-ts', 'Kopf', 'bare client', 'kopf-ts vs Kopf', 'kopf-ts vs bare'];

export const RATIO_NOTE =
  'Ratios say how many times better kopf-ts is (×2.00: twice as fast or half the cost; below ×1.00: worse). ' +
  '"bare client" is the limit: the same writes by a plain HTTP client reacting to its own requests\' responses.';

/** Goal lines for a throughput scenario. */
export function throughputGoals(results: Map<Who, PhaseResult>): string[] {
  const [ts, kopf, bare] = [rate(results.get('kopf-ts')), rate(results.get('Kopf')), rate(results.get('bare'))];
  const out: string[] = [];
  if (ts && kopf) out.push(`goal ≥ ×10 Kopf's throughput: ${ts / kopf >= 10 ? 'met' : 'MISSED'} (×${fmt(ts / kopf, 2)})`);
  if (ts && bare) out.push(`goal ≥ 80% of the bare client's throughput: ${ts / bare >= 0.8 ? 'met' : 'MISSED'} (${fmt((100 * ts) / bare, 0)}%)`);
  const [tw, kw] = [results.get('kopf-ts'), results.get('Kopf')].map((r) => (r ? auditPerChange(r, WRITE_VERBS) ?? metricsWritesPerChange(r) : undefined));
  if (tw !== undefined && kw !== undefined) out.push(`goal fewer API writes per change than Kopf: ${tw < kw ? 'met' : 'MISSED'} (${fmt(tw, 2)} vs ${fmt(kw, 2)})`);
  const [tc, kc] = [results.get('kopf-ts')?.cpuSeconds, results.get('Kopf')?.cpuSeconds];
  if (tc !== undefined && kc !== undefined && kc > 0) out.push(`goal (issue 16) operator CPU per change ≤ ⅓ of Kopf's: ${tc * 3 <= kc ? 'met' : 'MISSED'} (${fmt((100 * tc) / kc, 0)}% of Kopf's)`);
  if (ts && bare) out.push(`goal (issue 16) ≥ 90% of the bare client's throughput: ${ts / bare >= 0.9 ? 'met' : 'MISSED'} (${fmt((100 * ts) / bare, 0)}%)`);
  return out;
}

/** A note listing each operator's reads after its start (they should be none: the watch is the state). */
export function readsNote(results: Map<Who, PhaseResult>): string {
  const parts: string[] = [];
  for (const [who, r] of results) {
    const own = ownRequests(r);
    if (!own || who === 'bare') continue;
    const reads = [...own].filter(([k]) => !WRITE_VERBS.includes(k.split(' ')[0]!)).map(([k, v]) => `${v} ${k}`);
    parts.push(`${who}: ${reads.length ? reads.join(', ') : 'none'}`);
  }
  return `Reads after the start (audit log): ${parts.join('; ')}.`;
}

/** Swallows a rejection now (it is awaited later) so that Node does not report it as unhandled. */
export function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
