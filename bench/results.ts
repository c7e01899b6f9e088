/**
 * The figures the charts are drawn from (issue 16): scenarios record what they measured into
 * docs/benchmarks/results.json (merged by key, so runs of different scenarios add up), and bench/charts.ts
 * draws the SVGs next to docs/benchmarks.md from it. Called by bench/scenarios/*.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the figures are kept. */
export const RESULTS_PATH = fileURLToPath(new URL('../docs/benchmarks/results.json', import.meta.url));

/** Everything recorded so far, by key. */
export function readResults(): Record<string, unknown> {
  return existsSync(RESULTS_PATH) ? (JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as Record<string, unknown>) : {};
}

/** Records `value` under `key` (replacing an earlier value), with the date of the run. */
export function record(key: string, value: unknown): void {
  const all = readResults();
  all[key] = { at: new Date().toISOString(), value };
  mkdirSync(dirname(RESULTS_PATH), { recursive: true });
  writeFileSync(RESULTS_PATH, JSON.stringify(all, null, 1) + '\n');
}
