/**
 * Scenario (e): API requests by verb per handled change, over the operator's whole life (start, discovery,
 * LIST/WATCH, a warm-up object, N objects created, updated and deleted as in scenario b, stop). Two sources
 * of the apiserver's own counts: the audit log, attributed by user agent (kopf-ts/…, kopf/…, the bench's
 * driver and bare client), and the diff of `apiserver_request_total` from /metrics around each phase (the
 * phases run one after another; that diff includes the driver's requests and the apiserver's own, so it is
 * shown as it is next to the driver's audit count). Called by bench/run.ts.
 */
import { total, WRITE_VERBS, type Counts } from '../apiserver-metrics.ts';
import type { Bench } from '../cluster.ts';
import { fmt, printTable } from '../table.ts';
import { lifecycleResults } from './b-lifecycle.ts';
import type { PhaseResult, Who } from './common.ts';

const RELEVANT = /^(kopfexamples|events|namespaces|customresourcedefinitions|kopfpeerings|clusterkopfpeerings)/;

/** Discovery GETs (by path) are folded into one row. */
function folded(counts: Counts): Counts {
  const out: Counts = new Map();
  for (const [key, value] of counts) {
    const k = key.startsWith('get /') ? 'get discovery (/api, /apis, /apis/<group>/<version>)' : key;
    out.set(k, (out.get(k) ?? 0) + value);
  }
  return out;
}

export async function scenarioE(bench: Bench, n: number): Promise<void> {
  const results = await lifecycleResults(bench, n, 'e', true);
  const whos: Who[] = (['kopf-ts', 'Kopf', 'bare'] as const).filter((w) => results.has(w));
  const own = (r: PhaseResult): Counts => folded(r.requests.audit?.get(r.who) ?? new Map());
  const keys = [...new Set(whos.flatMap((w) => [...own(results.get(w)!).keys()]))].sort();
  const perChange = (r: PhaseResult, v: number): string => `${fmt(v / r.changes, 3)} (${v})`;
  if (bench.audit) {
    const rows = keys.map((key) => [key, ...whos.map((w) => perChange(results.get(w)!, own(results.get(w)!).get(key) ?? 0))]);
    rows.push(['**all writes**', ...whos.map((w) => perChange(results.get(w)!, total(own(results.get(w)!), WRITE_VERBS)))]);
    rows.push(['**all reads**', ...whos.map((w) => perChange(results.get(w)!, total(own(results.get(w)!), ['get', 'list', 'watch'])))]);
    printTable({
      title: `(e) API requests per handled change, by verb — audit log, by user agent (${n} objects × create, update, delete + 1 warm-up creation)`,
      header: ['verb resource', ...whos.map((w) => (w === 'bare' ? 'bare client' : w))],
      rows,
      notes: [
        'Per change (total in brackets), over the operator\'s whole life: startup (discovery, LIST, WATCH), the warm-up object, the steps, and the stop. The bare client has no startup and no warm-up object.',
      ],
    });
  }
  const mkeys = [...new Set(whos.flatMap((w) => [...results.get(w)!.requests.metrics.keys()]))].filter((k) => RELEVANT.test(k.split(' ')[1] ?? '')).sort();
  const driver = (r: PhaseResult): Counts => r.requests.audit?.get('driver') ?? new Map();
  printTable({
    title: `(e) apiserver_request_total diff around each phase (every client in the phase), and the driver's share (audit)`,
    header: ['verb resource', ...whos.flatMap((w) => [`${w === 'bare' ? 'bare' : w} phase`, 'of which driver'])],
    rows: mkeys.map((key) => [key, ...whos.flatMap((w) => [String(results.get(w)!.requests.metrics.get(key) ?? 0), bench.audit ? String(driver(results.get(w)!).get(key) ?? 0) : '?'])]),
    notes: ['Only resources an operator or the driver touch are shown (the apiserver\'s own lease updates etc. are left out). Verbs of the metric are mapped to Kubernetes verbs (POST → create, PATCH → patch, …).'],
  });
}
