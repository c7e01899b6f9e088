/**
 * Printing of the scenarios' result tables (Markdown, so a run can be pasted into docs/benchmarks.md) and the
 * formatting of figures and ratios. Called by every scenario.
 */

/** A table: a title, a header row and rows of cells. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  notes?: string[];
}

export function printTable(table: Table): void {
  const widths = table.header.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  const out = [`\n### ${table.title}\n`, line(table.header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...table.rows.map(line)];
  for (const note of table.notes ?? []) out.push(`\n${note}`);
  console.log(out.join('\n'));
}

/** A number with a sensible precision. */
export function fmt(value: number | undefined | null, digits?: number): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return '∞';
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** `a / b` as `×N.NN`. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !b) return '–';
  return `×${fmt(a / b, 2)}`;
}

/** Percentile (0–100) of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
