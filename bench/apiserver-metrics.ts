/**
 * What the API server itself says about the requests it served, used by the scenarios to count each
 * client's requests by verb:
 *   - `/metrics`: `apiserver_request_total` summed over response codes, by verb and resource. It has no
 *     user or user-agent label, so the scenarios run the clients strictly one after another and diff the
 *     counters around each phase (the bench's own driver requests are then subtracted: see requestTable()).
 *   - the audit log (enabled by bench/cluster.ts): one JSON line per request with its `userAgent`, which
 *     attributes every request to kopf-ts (`kopf-ts/…`), Kopf (`kopf/…`), the driver or the bare client.
 */
import { openSync, readSync, closeSync, statSync, existsSync } from 'node:fs';
import type { BenchClient } from './http.ts';

/** Requests by `verb resource[/subresource]`. */
export type Counts = Map<string, number>;

/** The metric's verbs (HTTP-like) as the audit log's (Kubernetes verbs). */
const METRIC_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', APPLY: 'patch', DELETE: 'delete', DELETECOLLECTION: 'deletecollection', GET: 'get', LIST: 'list', WATCH: 'watch', WATCHLIST: 'watch' };

/** Reads `apiserver_request_total` (summed over codes and other labels) by `verb resource[/subresource]`. */
export async function readRequestMetrics(client: BenchClient): Promise<Counts> {
  const text = await client.text('/metrics');
  const counts: Counts = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const close = line.lastIndexOf('}');
    const labels = Object.fromEntries([...line.slice(24, close).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const value = Number(line.slice(close + 1).trim());
    const key = `${METRIC_VERBS[labels.verb ?? ''] ?? (labels.verb ?? '').toLowerCase()} ${labels.resource ?? ''}${labels.subresource ? '/' + labels.subresource : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

/** after − before, without zeros. */
export function diffCounts(after: Counts, before: Counts): Counts {
  const out: Counts = new Map();
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d) out.set(key, d);
  }
  return out;
}

/** The audit policy: metadata of every request, recorded once when its response is complete. */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
`;

/** One audit record, reduced. */
export interface AuditRecord {
  userAgent: string;
  verb: string;
  resource: string;
  namespace: string;
  received: number;
  code: number;
}

/** Reads the audit log incrementally (the file only grows; the scenarios read the lines of their phase). */
export class AuditLog {
  #offset = 0;
  #rest = '';
  constructor(readonly path: string) {}

  /** Skips everything written so far. */
  mark(): void {
    this.#offset = existsSync(this.path) ? statSync(this.path).size : 0;
    this.#rest = '';
  }

  /** Records written since the last mark()/read(). */
  read(): AuditRecord[] {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    const out: AuditRecord[] = [];
    const fd = openSync(this.path, 'r');
    try {
      const chunk = Buffer.alloc(1 << 20);
      while (this.#offset < size) {
        const n = readSync(fd, chunk, 0, chunk.length, this.#offset);
        if (n <= 0) break;
        this.#offset += n;
        const text = this.#rest + chunk.subarray(0, n).toString();
        const lines = text.split('\n');
        this.#rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          const e = JSON.parse(line) as any;
          const ref = e.objectRef ?? {};
          out.push({
            userAgent: e.userAgent ?? '',
            verb: e.verb ?? '',
            resource: ref.resource ? `${ref.resource}${ref.subresource ? '/' + ref.subresource : ''}` : (e.requestURI ?? '').split('?')[0],
            namespace: ref.namespace ?? '',
            received: Date.parse(e.requestReceivedTimestamp),
            code: e.responseStatus?.code ?? 0,
          });
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}

/** Counts audit records by `verb resource` for those matching `filter`. */
export function countAudit(records: AuditRecord[], filter: (r: AuditRecord) => boolean): Counts {
  const counts: Counts = new Map();
  for (const r of records) {
    if (!filter(r)) continue;
    const key = `${r.verb} ${r.resource}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Which client sent a request, from its user agent. */
export function clientOf(userAgent: string): string {
  if (userAgent.startsWith('kopf-ts-bench/')) return userAgent.slice('kopf-ts-bench/'.length);
  if (userAgent.startsWith('kopf-ts/')) return 'kopf-ts';
  if (userAgent.startsWith('kopf/')) return 'Kopf';
  return 'other';
}

export const WRITE_VERBS = ['create', 'update', 'patch', 'delete'];

/** Sum of counts whose verb is in `verbs` (all when absent), optionally only for keys matching `resource`. */
export function total(counts: Counts, verbs?: string[], resource?: RegExp): number {
  let n = 0;
  for (const [key, value] of counts) {
    const [verb, res] = key.split(' ');
    if (verbs && !verbs.includes(verb!)) continue;
    if (resource && !resource.test(res ?? '')) continue;
    n += value;
  }
  return n;
}
