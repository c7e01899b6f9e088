/**
 * The cost of an idle object actor, live and passivated, and of restoring one (issue 16):
 * `npm run bench:passivation [-- --n 10000]`. Builds the real object actors through the
 * real Dispatcher and createObjectActor (one create handler; every body carries a matching diff-base, so the
 * first event leaves each actor idle without any API call), then measures the heap after a forced GC with N
 * idle live actors, with N passivated records, and the time to restore every actor by one event each (a
 * stale event: restored, found not newer, idle again — the restore itself, without a reaction). No cluster.
 * Prints a Markdown table. Not a test.
 */
import { parseArgs } from 'node:util';
import * as kopf from '../src/index.ts';
import { getDefaultRegistry } from '../src/handlers/registry.ts';
import { Dispatcher } from '../src/engine/dispatcher.ts';
import { createObjectActor } from '../src/engine/object-actor.ts';
import { WorkerPool } from '../src/execution/pool.ts';
import { Semaphore } from '../src/engine/semaphore.ts';
import { KubeClient } from '../src/kube/client.ts';
import { defaultSettings } from '../src/model/settings.ts';
import { storagesOf } from '../src/model/storages.ts';
import { createRootLogger, objectLogger } from '../src/observe/log.ts';
import { createActor } from 'xstate';
import { objectMachine } from '../machines/object.ts';
import type { Body } from '../src/model/body.ts';
import { KEX_RESOURCE } from '../test/helpers/kube.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' } } });
const n = Number(values.n);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

let created = 0;
kopf.on.create('kopfexamples', async function create_fn() {
  created++;
});
const registry = getDefaultRegistry();
const settings = defaultSettings();
settings.execution.passivateAfter = 10;
const client = new KubeClient({ server: 'https://127.0.0.1:9', insecure: true, defaultNamespace: 'default', authenticate: async () => ({ headers: {} }) });
const ctx = { resource: KEX_RESOURCE, settings, client, registry, pool: new WorkerPool({ moduleUrls: [] }), postEvent: () => {}, selectors: new Set(registry.selectors()) };
const logger = createRootLogger({ level: 'warn', format: 'json' });
const limiter = new Semaphore(null);
const dispatcher = new Dispatcher((key, _event, restored) => createObjectActor(key, _event, { resource: ctx, rootLogger: logger, operatorMemo: {}, limiter }, restored), logger);
const { diffbase } = storagesOf(settings);

function body(i: number, rv = 1000 + i): Body {
  const b = { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: `idle-${i}`, namespace: 'bench', uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, resourceVersion: String(rv), annotations: {} as Record<string, string> }, spec: { field: 'value', items: ['a', 'b', 'c'] } } as unknown as Body;
  b.metadata.annotations!['kopf.zalando.org/last-handled-configuration'] = JSON.stringify(diffbase.build({ body: b }));
  return b;
}

const settle = async (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const base = heap();
for (let i = 0; i < n; i++) dispatcher.dispatch('kopfexamples.v1.kopf.dev', { type: 'MODIFIED', object: body(i) });
await settle(200);
if (created !== 0) throw new Error(`${created} create handlers ran: the bodies are not seen as handled`);
const live = heap();
if (dispatcher.passivatedCount > 0) throw new Error("actors passivated before the live figure was taken: raise passivateAfter");
const liveCount = dispatcher.size;
await settle(12_000); // passivateAfter 10 s
const passive = heap();
const passiveCount = dispatcher.passivatedCount;
// A relist: events not newer than the records are answered by them, no actor restored.
let t0 = performance.now();
for (let i = 0; i < n; i++) dispatcher.dispatch('kopfexamples.v1.kopf.dev', { type: null, object: body(i) });
const staleMs = performance.now() - t0;
const stale = dispatcher.staleForPassivatedCount;
// A newer version of each (the same spec, so no handler is due): the actor restored, the event classified.
t0 = performance.now();
for (let i = 0; i < n; i++) dispatcher.dispatch('kopfexamples.v1.kopf.dev', { type: 'MODIFIED', object: body(i, 1000 + n + i) });
const restoreMs = performance.now() - t0;
await settle(100);
const restored = dispatcher.restoredCount;
if (created !== 0) throw new Error(`${created} create handlers ran after the restore`);
const t1 = performance.now();
for (let i = 0; i < n; i++) body(i);
const bodyMs = performance.now() - t1;
await dispatcher.stopAll(1000);

// Attribution: the parts of a live idle actor measured alone (the rest: services, map entries, closures).
const keep: unknown[] = [];
let before = heap();
for (let i = 0; i < n; i++) keep.push(objectLogger(logger, { namespace: 'bench', name: `idle-${i}`, uid: `uid-${i}`, kind: 'KopfExample' }));
const loggerBytes = heap() - before;
keep.length = 0;
before = heap();
for (let i = 0; i < n; i++) keep.push(createActor(objectMachine, { input: { key: `kopfexamples.v1.kopf.dev/uid-${i}`, passivateAfter: null } }).start());
const actorBytes = heap() - before;
keep.length = 0;
await client.close();

const kib = (bytes: number): string => (bytes / n / 1024).toFixed(2);
console.log(`\nObject actors, live and passivated (Node ${process.version}; N = ${n}; heap after a forced GC)\n`);
console.log('| figure | value |\n|---|---|');
console.log(`| heap per idle live actor (${liveCount} live) | ${kib(live - base)} KiB |`);
console.log(`| heap per passivated object (${passiveCount} records) | ${kib(passive - base)} KiB |`);
console.log(`| of a live one: the XState actor alone (idle, no services) | ${kib(actorBytes)} KiB |`);
console.log(`| of a live one: its pino child logger alone | ${kib(loggerBytes)} KiB |`);
console.log(`| of a live one: the rest (services, the actor's entry in the engine's maps, closures) | ${kib(live - base - actorBytes - loggerBytes)} KiB |`);
console.log(`| a stale event (relist) to a passivated object: answered by its record | ${(((staleMs - bodyMs) * 1000) / n).toFixed(1)} µs each (${stale} dropped, none restored) |`);
console.log(`| a newer event to a passivated object: actor, logger and services rebuilt, event classified (nothing due) | ${(((restoreMs - bodyMs) * 1000) / n).toFixed(1)} µs each (${restored} restored) |`);
process.exit(0);
