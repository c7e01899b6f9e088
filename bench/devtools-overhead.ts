/**
 * Benchmark (prints figures; not a test): what `--devtools` costs the object actors.
 *   1. event throughput of N object actors (machines/object.ts with stand-in guards; every event is newer and
 *      leads back to idle) without an inspection observer, and with the devtools collector's;
 *   2. the collector's memory with N live objects after many events each (its bounds at work).
 * Run: npx node --expose-gc --import tsx bench/devtools-overhead.ts [objects=10000] [events=20] [rounds=3]
 */
import { createActor, fromPromise, type InspectionEvent } from 'xstate';
import { objectMachine } from '../machines/index.ts';
import { Collector } from '../src/devtools/collector.ts';

const objects = Number(process.argv[2] ?? 10_000);
const events = Number(process.argv[3] ?? 20);
const rounds = Number(process.argv[4] ?? 3);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const machine = objectMachine.provide({
  actors: { react: fromPromise(async () => ({ outcome: 'done' as const })) as never },
  guards: { hasFinalizer: () => false, isNew: () => false, hasChanges: () => false, hasResumeHandlers: () => false },
});

function start(inspect?: (e: InspectionEvent) => void) {
  const actors = [];
  for (let i = 0; i < objects; i++) {
    const actor = createActor(machine, { input: { key: `kopfexamples.v1.kopf.dev/uid-${i}` }, ...(inspect ? { inspect } : {}) });
    actor.start();
    actors.push(actor);
  }
  return actors;
}

function feed(actors: ReturnType<typeof start>, from: number, count: number): void {
  for (let e = from; e < from + count; e++) {
    for (const actor of actors) actor.send({ type: 'watch.event', event: { type: 'MODIFIED', object: { metadata: { name: 'o', namespace: 'ns', resourceVersion: String(e) } as { resourceVersion: string } } } });
  }
}

function throughput(inspect?: (e: InspectionEvent) => void): number {
  const actors = start(inspect);
  const t0 = performance.now();
  feed(actors, 1, events);
  const ms = performance.now() - t0;
  for (const a of actors) a.stop();
  return (objects * events) / (ms / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const off: number[] = [];
const on: number[] = [];
for (let r = 0; r < rounds; r++) {
  gc();
  off.push(throughput());
  gc();
  on.push(throughput(new Collector().inspect));
}
console.log(`${objects} object actors × ${events} events, median of ${rounds} rounds:`);
console.log(`  without an observer:        ${Math.round(median(off))} events/s`);
console.log(`  with the devtools collector: ${Math.round(median(on))} events/s (${Math.round((median(on) / median(off)) * 100)} %)`);

gc();
const before = process.memoryUsage().heapUsed;
const plain = start();
feed(plain, 1, 1);
gc();
const plainBytes = process.memoryUsage().heapUsed - before;
for (const a of plain) a.stop();
gc();
const base = process.memoryUsage().heapUsed;
const collector = new Collector();
const observed = start(collector.inspect);
feed(observed, 1, 200);
gc();
const observedBytes = process.memoryUsage().heapUsed - base;
console.log(`${objects} live objects: ${(plainBytes / 1e6).toFixed(1)} MB without an observer; ${(observedBytes / 1e6).toFixed(1)} MB with the collector after 200 events each`);
console.log(`  (${collector.timelines} timelines of ≤ ${collector.timelineSize} lines kept, ${collector.size} actors recorded)`);
for (const a of observed) a.stop();
console.log(`after they all stopped: ${collector.size} actors recorded, ${collector.timelines} timelines`);
