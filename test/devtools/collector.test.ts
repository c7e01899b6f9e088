// The devtools collector without a cluster: real XState actors (the object machine with stand-in
// implementations, and a made-up parent with a spawned child machine, as daemons and timers will be) feed it
// through XState's inspection API. It records states, coalesced and stale events, retries, children and
// handler progress, and stays bounded with 10,000 objects (rings, a cap on kept timelines, live actors only).
import test from 'ava';
import { assign, createActor, createMachine, fromPromise, setup, spawnChild } from 'xstate';
import { objectMachine } from '../../machines/index.ts';
import { Collector } from '../../src/devtools/collector.ts';
import { Ring } from '../../src/devtools/ring.ts';
import { activePaths } from '../../src/devtools/timeline-texts.ts';

type Output = { outcome: 'done' | 'delayed'; delay?: number; body?: { metadata: { resourceVersion: string } } };

/** The object machine with stand-ins: `react` answers from `plan` (one output per call, then done). */
function objectActor(collector: Collector, key: string, plan: Output[] = [], ms = 0) {
  let calls = 0;
  const machine = objectMachine.provide({
    actors: {
      react: fromPromise(async () => {
        if (ms) await new Promise((r) => setTimeout(r, ms));
        return plan[calls++] ?? { outcome: 'done' };
      }) as never,
    },
    guards: { hasFinalizer: () => false, isNew: () => calls === 0 || calls < plan.length, hasChanges: () => false, hasResumeHandlers: () => false },
  });
  const actor = createActor(machine, { input: { key }, inspect: collector.inspect });
  actor.start();
  const send = (type: 'ADDED' | 'MODIFIED' | 'DELETED', rv: string, name = 'obj'): void =>
    actor.send({ type: 'watch.event', event: { type, object: { metadata: { name, namespace: 'ns1', resourceVersion: rv } as { resourceVersion: string } } } });
  return { actor, send };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test.serial('an object actor: watch, stale and coalesced events, a retry with its delay, handlers, the end', async (t) => {
  const c = new Collector();
  const key = 'kopfexamples.v1.kopf.dev/uid-1';
  const { actor, send } = objectActor(c, key, [{ outcome: 'delayed', delay: 0.05, body: { metadata: { resourceVersion: '3' } } }, { outcome: 'done', body: { metadata: { resourceVersion: '5' } } }], 20);
  send('ADDED', '2', 'one');
  send('MODIFIED', '2', 'one'); // not newer: dropped
  send('MODIFIED', '4', 'one'); // newer while creating: coalesced
  c.timeline(key, { type: 'handler.start', handler: 'create_fn', cause: 'create', retry: 0 });
  c.timeline(key, { type: 'handler.end', handler: 'create_fn', cause: 'create', outcome: 'retry', delay: 0.05, error: 'not yet', ms: 20 });
  t.is(c.detail(key)?.handlers[0]?.state, 'retrying');
  await until(() => c.summary(key)?.state === 'idle' && (c.detail(key)?.timeline.length ?? 0) > 5, 'idle');
  c.timeline(key, { type: 'patch', what: 'done', patch: { metadata: { annotations: { a: 'b' }, labels: {} }, spec: {}, status: { create_fn: { ok: true } } } });
  const detail = c.detail(key)!;
  t.like(detail, { name: 'one', namespace: 'ns1', resource: 'kopfexamples.v1.kopf.dev', machine: 'object', state: 'idle', active: ['idle'] });
  const kinds = detail.timeline.map((l) => `${l.kind}: ${l.text}`);
  t.true(kinds.some((k) => /^watch: ADDED rv=2: idle → creating$/.test(k)), kinds.join('\n'));
  t.true(kinds.some((k) => /^stale: MODIFIED rv=2 dropped/.test(k)), kinds.join('\n'));
  t.true(kinds.some((k) => /^coalesced: MODIFIED rv=4 coalesced while creating$/.test(k)), kinds.join('\n'));
  t.true(kinds.some((k) => /^retry: creating → retrying: retry in 0.1 s$/.test(k)), kinds.join('\n'));
  t.true(kinds.some((k) => /^handler.end: create_fn failed temporarily in 20 ms: not yet; retry in 0.05 s$/.test(k)), kinds.join('\n'));
  t.true(kinds.some((k) => k === 'patch: patch (done): {"metadata":{"annotations":{"a":"b"}},"status":{"create_fn":{"ok":true}}}'), kinds.join('\n'));
  t.deepEqual(c.detail(key, detail.timeline.at(-1)!.n)?.timeline, [], 'only newer lines after `after`');

  t.deepEqual(c.drain().removed, []);
  send('DELETED', '6', 'one');
  await until(() => c.size === 0, 'the record to go');
  t.is(c.detail(key), undefined);
  t.deepEqual(c.drain().removed, [key]);
  t.is(c.timelines, 0);
  t.is(actor.getSnapshot().status, 'done');
});

test.serial('children: a spawned child machine is shown under its parent, with its own state and diagram id', async (t) => {
  const c = new Collector();
  const ticker = createMachine({ id: 'ticker', initial: 'waiting', states: { waiting: { on: { tick: 'running' } }, running: { initial: 'busy', states: { busy: {} }, on: { reset: 'waiting' } } } });
  const parent = setup({ actors: { ticker } }).createMachine({
    id: 'holder',
    context: { key: 'things.v1/uid-9' },
    initial: 'on',
    states: { on: { entry: spawnChild('ticker', { id: 'daemon-a' }), on: { go: { actions: assign({}) } } } },
  });
  const actor = createActor(parent, { inspect: c.inspect });
  actor.start();
  const detail = c.detail('things.v1/uid-9')!;
  t.is(detail.machine, 'holder');
  t.deepEqual(detail.children.map((ch) => ({ id: ch.id, machine: ch.machine, state: ch.state })), [{ id: 'daemon-a', machine: 'ticker', state: 'waiting' }]);
  actor.getSnapshot().children['daemon-a']!.send({ type: 'tick' });
  const after = c.detail('things.v1/uid-9')!;
  t.deepEqual(after.children[0]!.active, ['running', 'running.busy']);
  t.is(after.children[0]!.state, 'running.busy');
  t.true(after.timeline.some((l) => l.kind === 'child' && /daemon-a \(ticker\) started/.test(l.text)));
  t.true(after.timeline.some((l) => l.kind === 'state' && /daemon-a: waiting → running.busy/.test(l.text)));
  // A child's transitions in a row fold into one line (a timer's ticks must not flood the timeline).
  const child = actor.getSnapshot().children['daemon-a']!;
  for (let i = 0; i < 50; i++) child.send({ type: i % 2 ? 'tick' : 'reset' });
  const folded = c.detail('things.v1/uid-9')!.timeline.filter((l) => l.kind === 'state' && l.text.startsWith('daemon-a'));
  t.true(folded.length <= 2, folded.map((l) => l.text).join('\n'));
  t.true(folded.at(-1)!.count >= 50);
  t.is(c.list().length, 1, 'children are not listed as objects');
  actor.stop();
  t.is(c.size, 0);
});

test.serial('bounded with 10,000 objects: one ring per object, timelines for the most recent only, live actors only', async (t) => {
  const c = new Collector({ timelineSize: 50, maxTimelines: 1000 });
  const actors = [];
  for (let i = 0; i < 10_000; i++) {
    const key = `kopfexamples.v1.kopf.dev/uid-${i}`;
    const a = objectActor(c, key);
    a.send('ADDED', '10', `o${i}`);
    actors.push({ ...a, key });
  }
  await until(() => c.list().filter((s) => s.state === 'idle').length === 10_000, 'all idle');
  for (const { key } of actors.slice(0, 20)) for (let j = 0; j < 500; j++) c.timeline(key, { type: 'error', message: `boom ${j}` });
  t.is(c.list().length, 10_000);
  t.true(c.timelines <= 1000, `${c.timelines} timelines kept`);
  for (const { key } of actors.slice(0, 20)) t.is(c.detail(key)!.timeline.length, 50);
  t.is(c.detail(actors[0]!.key)!.timeline.at(-1)!.text, 'boom 499');
  t.is(c.detail(actors[5_000]!.key)!.timeline.length, 0, 'an object active long ago keeps its state, not its timeline');
  t.is(c.summary(actors[5_000]!.key)!.state, 'idle');
  for (const { actor } of actors) actor.send({ type: 'operator.stop' });
  t.is(c.size, 0);
  t.is(c.timelines, 0);
  t.is(c.list().length, 0);
});

test.serial('at most maxActors are recorded; more are counted', (t) => {
  const c = new Collector({ maxActors: 3 });
  const actors = [1, 2, 3, 4, 5].map((i) => objectActor(c, `r/uid-${i}`));
  t.is(c.size, 3);
  t.is(c.dropped, 2);
  for (const { actor } of actors) actor.stop();
  t.is(c.size, 0);
});

test.serial('a malformed inspection event is counted, never thrown into the actor', (t) => {
  const c = new Collector();
  t.notThrows(() => c.inspect({ type: '@xstate.snapshot', actorRef: null, rootId: 'x', snapshot: {}, event: { type: 'x' } } as never));
  t.is(c.failures, 1);
});

test.serial('rings and active paths', (t) => {
  const ring = new Ring<number>(3);
  for (let i = 1; i <= 5; i++) ring.push(i);
  t.deepEqual(ring.toArray(), [3, 4, 5]);
  t.is(ring.size, 3);
  t.deepEqual(activePaths('idle'), ['idle']);
  t.deepEqual(activePaths({ a: { b: 'c' }, d: 'e' }), ['a', 'a.b', 'a.b.c', 'd', 'd.e']);
});
