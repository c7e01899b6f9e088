/**
 * Benchmark (prints figures; not a test): what an index costs a sync handler on the worker pool. Every call
 * ships each index as a snapshot (plain `[key, values[]]` data, structured-cloned to the worker and revived
 * there as an Index): here an index of N pods keyed by `[namespace, name]`, read by a trivial handler.
 * Compares calls without an index, with an unchanged index (the snapshot is cached), and with an index changed
 * before every call (snapshotted again). Figures in docs/indexes.md.
 * Run: ./node_modules/.bin/node --import tsx bench/index-snapshot.ts [entries=2000] [calls=300]
 */
import { availableParallelism } from 'node:os';
import { getDefaultRegistry } from '../src/handlers/registry.ts';
import { invokeHandler, type InvocableHandler } from '../src/execution/invoke.ts';
import { WorkerPool } from '../src/execution/pool.ts';
import { registerIndexSource } from '../src/execution/index-snapshots.ts';
import { IndexContents } from '../src/model/indexes.ts';

const operatorUrl = new URL('../test/fixtures/indexing/reader.ts', import.meta.url).href;
await import(operatorUrl);
const entries = Number(process.argv[2] ?? 2000);
const calls = Number(process.argv[3] ?? 300);

function handler(id: string): InvocableHandler {
  const h = getDefaultRegistry()
    .all()
    .find((x) => x.id === id);
  if (!h) throw new Error(`no handler ${id}`);
  return h;
}

const contents = new IndexContents<boolean>();
registerIndexSource(contents);
for (let i = 0; i < entries; i++) contents.replace(`pods/uid-${i}`, [[['default', `pod-${i}`], i % 3 === 0]]);

async function perCall(
  h: InvocableHandler,
  pool: WorkerPool,
  kwargs: Record<string, unknown>,
  before?: (i: number) => void,
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    before?.(i);
    const { outcome } = await invokeHandler({ handler: h, kwargs: { ...kwargs }, pool });
    if (!outcome.final || outcome.exception) throw outcome.exception ?? new Error('not final');
  }
  return (performance.now() - t0) / calls;
}

console.log(
  `node ${process.version}, ${availableParallelism()} cores; an index of ${entries} entries; ${calls} calls each`,
);
const pool = new WorkerPool({ moduleUrls: [operatorUrl], minThreads: 1, maxThreads: 1 });
await perCall(handler('no_index'), pool, {});
await perCall(handler('read_index'), pool, { pods: contents.index });

const none = await perCall(handler('no_index'), pool, {});
const cached = await perCall(handler('read_index'), pool, { pods: contents.index });
const changed = await perCall(handler('read_index'), pool, { pods: contents.index }, (i) =>
  contents.replace(`pods/uid-${i % entries}`, [[['default', `pod-${i % entries}`], i % 2 === 0]]),
);
const t0 = performance.now();
for (let i = 0; i < calls; i++) structuredClone(contents.snapshot());
const snapshotAndClone = (performance.now() - t0) / calls;

console.log(`no index:                         ${none.toFixed(3)} ms per call`);
console.log(
  `unchanged index (cached snapshot): ${cached.toFixed(3)} ms per call (+${(cached - none).toFixed(3)})`,
);
console.log(
  `index changed before every call:   ${changed.toFixed(3)} ms per call (+${(changed - none).toFixed(3)})`,
);
console.log(`snapshot + structured clone alone: ${snapshotAndClone.toFixed(3)} ms`);
await pool.close();
