/**
 * Draws the benchmark charts next to docs/benchmarks.md from the figures the scenarios recorded in
 * docs/benchmarks/results.json (bench/results.ts): `npm run bench:charts`. Plain SVG, no dependency:
 *   rss-by-objects.svg   operator RSS against the number of idle objects (scenario c), kopf-ts and Kopf;
 *   cpu-per-change.svg   operator CPU ms per handled change (scenarios a and b), kopf-ts and Kopf;
 *   churn-rss.svg        RSS after each round of churn (scenario g), kopf-ts and Kopf (and kopf-ts's heap after a GC);
 *   latency.svg          event-to-handler latency percentiles under churn (scenario d), kopf-ts, Kopf and a bare watch.
 * A chart whose figures were not recorded yet is skipped (and said so).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readResults } from './results.ts';

const OUT = fileURLToPath(new URL('../docs/benchmarks/', import.meta.url));
const COLORS: Record<string, string> = { 'kopf-ts': '#2563eb', Kopf: '#dc2626', bare: '#6b7280', 'bare watch': '#6b7280', 'kopf-ts heap': '#60a5fa' };
const MiB = 2 ** 20;
const W = 640;
const H = 360;
const M = { left: 70, right: 130, top: 40, bottom: 50 };

interface Series {
  name: string;
  points: [number, number][];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const nice = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>
<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>
<text transform="translate(16 ${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
${body}
</svg>
`;
}

function axes(xMax: number, yMax: number, xTicks: number[]): { x: (v: number) => number; y: (v: number) => number; svg: string } {
  const x = (v: number): number => M.left + (v / xMax) * (W - M.left - M.right);
  const y = (v: number): number => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  let svg = `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/><line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`;
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg += `<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${nice(v)}</text>`;
  }
  for (const v of xTicks) svg += `<text x="${x(v)}" y="${H - M.bottom + 16}" text-anchor="middle">${v.toLocaleString('en')}</text>`;
  return { x, y, svg };
}

function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map(([px]) => px));
  const ys = series.flatMap((s) => s.points.map(([, py]) => py));
  const xMax = Math.max(...xs) || 1;
  const yMax = Math.max(...ys) * 1.1 || 1;
  const { x, y, svg } = axes(xMax, yMax, [...new Set(xs)].sort((a, b) => a - b));
  let body = svg;
  series.forEach((s, i) => {
    const color = COLORS[s.name] ?? '#000';
    const pts = s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    body += `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`;
    for (const [px, py] of s.points) body += `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${color}"><title>${esc(s.name)}: ${nice(py)}</title></circle>`;
    body += `<rect x="${W - M.right + 12}" y="${M.top + i * 20}" width="12" height="12" fill="${color}"/><text x="${W - M.right + 30}" y="${M.top + i * 20 + 10}">${esc(s.name)}</text>`;
  });
  return frame(title, xLabel, yLabel, body);
}

function barChart(title: string, yLabel: string, groups: { label: string; bars: { name: string; value: number }[] }[]): string {
  const yMax = Math.max(...groups.flatMap((g) => g.bars.map((b) => b.value))) * 1.15 || 1;
  const y = (v: number): number => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  let body = `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`;
  for (let i = 0; i <= 4; i++) body += `<line x1="${M.left}" y1="${y((yMax * i) / 4)}" x2="${W - M.right}" y2="${y((yMax * i) / 4)}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${y((yMax * i) / 4) + 4}" text-anchor="end">${nice((yMax * i) / 4)}</text>`;
  const groupW = (W - M.left - M.right) / groups.length;
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  groups.forEach((g, gi) => {
    const barW = (groupW * 0.7) / g.bars.length;
    g.bars.forEach((b, bi) => {
      const bx = M.left + gi * groupW + groupW * 0.15 + bi * barW;
      body += `<rect x="${bx.toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(H - M.bottom - y(b.value)).toFixed(1)}" fill="${COLORS[b.name] ?? '#000'}"/><text x="${(bx + barW / 2 - 2).toFixed(1)}" y="${(y(b.value) - 4).toFixed(1)}" text-anchor="middle" font-size="11">${nice(b.value)}</text>`;
    });
    body += `<text x="${M.left + gi * groupW + groupW / 2}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(g.label)}</text>`;
  });
  names.forEach((name, i) => (body += `<rect x="${W - M.right + 12}" y="${M.top + i * 20}" width="12" height="12" fill="${COLORS[name] ?? '#000'}"/><text x="${W - M.right + 30}" y="${M.top + i * 20 + 10}">${esc(name)}</text>`));
  return frame(title, '', yLabel, body);
}

const results = readResults() as Record<string, { value: Record<string, unknown> }>;
const written: string[] = [];
const skipped: string[] = [];
const write = (file: string, svg: string): void => {
  writeFileSync(OUT + file, svg);
  written.push(file);
};

// RSS against idle objects (c): one point per recorded n, plus the one-object base of the smallest run.
const rssSeries: Series[] = [];
for (const impl of ['kopf-ts', 'Kopf']) {
  const runs = Object.entries(results)
    .filter(([k]) => k.startsWith(`c/${impl}/`))
    .map(([, r]) => r.value as { n: number; rssBytes: number; rssBaseBytes: number })
    .sort((a, b) => a.n - b.n);
  if (!runs.length) continue;
  rssSeries.push({ name: impl, points: [[1, runs[0]!.rssBaseBytes / MiB], ...runs.map((r): [number, number] => [r.n, r.rssBytes / MiB])] });
}
if (rssSeries.length) write('rss-by-objects.svg', lineChart('Operator RSS with N idle objects (scenario c)', 'idle objects', 'RSS, MiB', rssSeries));
else skipped.push('rss-by-objects.svg (no scenario c figures)');

// CPU per change (a, b).
const cpuGroups = ['a', 'b']
  .map((sc) => ({
    label: sc === 'a' ? '(a) creations' : '(b) create, update, delete',
    bars: ['kopf-ts', 'Kopf'].flatMap((impl) => {
      const r = results[`${sc}/${impl}`]?.value as { cpuSeconds?: number; changes: number } | undefined;
      return r?.cpuSeconds !== undefined ? [{ name: impl, value: (1000 * r.cpuSeconds) / r.changes }] : [];
    }),
  }))
  .filter((g) => g.bars.length);
if (cpuGroups.length) write('cpu-per-change.svg', barChart('Operator CPU per handled change (user + system)', 'CPU ms per change', cpuGroups));
else skipped.push('cpu-per-change.svg (no scenario a/b CPU figures)');

// Churn (g).
const churnSeries: Series[] = [];
for (const impl of ['kopf-ts', 'Kopf']) {
  const r = results[`g/${impl}`]?.value as { rss: number[]; heapUsed?: number[] } | undefined;
  if (r) churnSeries.push({ name: impl, points: r.rss.map((b, i): [number, number] => [i + 1, b / MiB]) });
  if (r?.heapUsed) churnSeries.push({ name: `${impl} heap`, points: r.heapUsed.map((b, i): [number, number] => [i + 1, b / MiB]) });
}
if (churnSeries.length) write('churn-rss.svg', lineChart('RSS (and kopf-ts heap) after each churn round (scenario g)', 'round', 'MiB', churnSeries));
else skipped.push('churn-rss.svg (no scenario g figures)');

// Latency percentiles (d).
const latencyGroups = (['p50', 'p90', 'p99'] as const)
  .map((p) => ({
    label: p,
    bars: (['kopf-ts', 'Kopf', 'bare'] as const).flatMap((who) => {
      const r = results[`d/${who}`]?.value as Record<string, number> | undefined;
      return typeof r?.[p] === 'number' ? [{ name: who === 'bare' ? 'bare watch' : who, value: r[p] }] : [];
    }),
  }))
  .filter((g) => g.bars.length);
if (latencyGroups.length) write('latency.svg', barChart('Event-to-handler latency under churn (scenario d)', 'ms', latencyGroups));
else skipped.push('latency.svg (no scenario d figures)');

console.log(`wrote ${written.map((f) => `docs/benchmarks/${f}`).join(', ') || 'nothing'}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`);
