/**
 * The texts of the devtools' lines: active state paths of a state value, patches shortened without their empty
 * sub-objects, and admission reviews. Called by src/devtools/collector.ts.
 */
import type { TimelineEntry } from '../engine/timeline.ts';

/** The states active in a state value, as dotted paths: `{ a: 'b' }` → `a`, `a.b`. */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out.push(prefix + k);
    out.push(...activePaths(v, `${prefix}${k}.`));
  }
  return out;
}

/** A state value as the page shows it: its innermost active states. */
export function valueText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  const paths = activePaths(value);
  return paths.filter((p) => !paths.some((q) => q.startsWith(p + '.'))).join(', ');
}

/** An admission review's line: the handler, the operation, the verdict, the mutation and warnings. */
export function admissionText(entry: Extract<TimelineEntry, { type: 'admission' }>): string {
  const verdict = entry.allowed ? 'allowed' : `rejected: ${entry.message ?? ''}`;
  const extras = [
    entry.patch.length ? `patch ${JSON.stringify(entry.patch)}` : '',
    entry.warnings.length ? `warnings ${JSON.stringify(entry.warnings)}` : '',
  ].filter(Boolean);
  return `webhook ${entry.handler} (${entry.operation}${entry.dryrun ? ', dry run' : ''}) ${verdict} in ${entry.ms} ms${extras.length ? `; ${extras.join('; ')}` : ''}`;
}

/** A patch without the empty pre-made sub-objects, shortened. */
export function patchText(patch: unknown): string {
  const prune = (v: unknown): unknown => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = prune(x);
      if (p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0) continue;
      out[k] = p;
    }
    return out;
  };
  const text = JSON.stringify(prune(patch)) ?? '';
  return text.length > 400 ? text.slice(0, 400) + '…' : text;
}
