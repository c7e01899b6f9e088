// Unit tests of machines/object.ts on XState's simulated clock: classification in Kopf's order, retries after
// exactly the delay, coalescing, stale/echo events, throttling, release and stop, passivation. No cluster, no waiting.
import test from 'ava';
import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { isStaleEvent, objectMachine, type MachineEvent, type ObjectInput, type ReactInput, type ReactOutput, type ReleaseInput, type ReleaseOutput } from '../../machines/object.ts';

interface Body {
  metadata: { resourceVersion?: string; deletionTimestamp?: string | null; finalizers?: string[]; handled?: string };
  spec?: { v?: number };
}

/** A controllable fake world: bodies carry `metadata.handled` (our diff-base) and `spec.v`. */
function harness(options: { react?: (input: ReactInput, signal: AbortSignal) => Promise<ReactOutput>; release?: (input: ReleaseInput) => Promise<ReleaseOutput>; resume?: boolean; input?: Partial<ObjectInput> } = {}) {
  const reactions: ReactInput[] = [];
  const releases: ReleaseInput[] = [];
  const clock = new SimulatedClock();
  const body = (e: MachineEvent): Body => e.object as Body;
  const machine = objectMachine.provide({
    actors: {
      react: fromPromise<ReactOutput, ReactInput>(async ({ input, signal }) => {
        reactions.push(input);
        if (options.react) return await options.react(input, signal);
        return { outcome: 'done' };
      }),
      release: fromPromise<ReleaseOutput, ReleaseInput>(async ({ input }) => {
        releases.push(input);
        return options.release ? await options.release(input) : { gone: true };
      }),
    },
    guards: {
      hasFinalizer: ({ context }) => Boolean(body(context.current!).metadata.finalizers?.includes('ours')),
      isNew: ({ context }) => body(context.current!).metadata.handled === undefined,
      hasChanges: ({ context }) => body(context.current!).metadata.handled !== String(body(context.current!).spec?.v),
      hasResumeHandlers: () => options.resume ?? true,
    },
  });
  const actor = createActor(machine, { input: { key: 'ns/x', errorDelays: [1, 2, 5], ...options.input }, clock });
  actor.start();
  return { actor, clock, reactions, releases };
}

const ev = (type: MachineEvent['type'], rv: number, extra: Partial<Body['metadata']> = {}, v = 1): { type: 'watch.event'; event: MachineEvent } => ({
  type: 'watch.event',
  event: { type, object: { metadata: { resourceVersion: String(rv), ...extra }, spec: { v } } as MachineEvent['object'] },
});

const settle = () => new Promise((r) => setImmediate(r));

test('a new object is created, then idle holds no body', async (t) => {
  const { actor, reactions } = harness();
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('idle'));
  t.deepEqual(reactions.map((r) => r.cause), ['create']);
  t.is(actor.getSnapshot().context.current, null);
  t.is(actor.getSnapshot().context.knownRv, '10');
});

test('an update of a handled object; a noop is not reacted to', async (t) => {
  const { actor, reactions } = harness();
  actor.send(ev('MODIFIED', 11, { handled: '1' }, 2));
  await waitFor(actor, (s) => s.matches('idle'));
  actor.send(ev('MODIFIED', 12, { handled: '2' }, 2));
  await settle();
  t.deepEqual(reactions.map((r) => r.cause), ['update']);
});

test('resume happens only for listed objects, and only once', async (t) => {
  const { actor, reactions } = harness();
  actor.send(ev(null, 5, { handled: '1' }, 1));
  await waitFor(actor, (s) => s.matches('idle'));
  actor.send(ev(null, 6, { handled: '1' }, 1)); // a relist: not initial any more
  await settle();
  t.deepEqual(reactions.map((r) => [r.cause, r.initial]), [['resume', true]]);
  t.false(actor.getSnapshot().context.initial);
});

test('a live ADDED object with a diff-base is not resumed', async (t) => {
  const { actor, reactions } = harness();
  actor.send(ev('ADDED', 5, { handled: '1' }, 1));
  await waitFor(actor, (s) => s.matches('idle'));
  t.deepEqual(reactions, []);
});

test('deleting → releasing → gone; a free object is left alone; DELETED ends it', async (t) => {
  const h = harness();
  h.actor.send(ev('MODIFIED', 20, { handled: '1', deletionTimestamp: 'now', finalizers: ['ours'] }));
  await waitFor(h.actor, (s) => s.status === 'done');
  t.deepEqual(h.reactions.map((r) => r.cause), ['delete']);
  t.is(h.releases.length, 1);
  t.deepEqual(h.actor.getSnapshot().output, { reason: 'deleted' });

  const free = harness();
  free.actor.send(ev('MODIFIED', 20, { handled: '1', deletionTimestamp: 'now', finalizers: ['theirs'] }));
  await settle();
  t.true(free.actor.getSnapshot().matches('idle'));
  t.deepEqual(free.reactions, []);
  free.actor.send(ev('DELETED', 21, { handled: '1' }));
  await waitFor(free.actor, (s) => s.status === 'done');
  t.deepEqual(free.actor.getSnapshot().output, { reason: 'deleted' });
});

test('a delayed reaction retries after exactly its delay on the simulated clock', async (t) => {
  let n = 0;
  const { actor, clock, reactions } = harness({ react: async () => (++n === 1 ? { outcome: 'delayed', delay: 30 } : { outcome: 'done' }) });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('retrying'));
  clock.increment(29_999);
  await settle();
  t.true(actor.getSnapshot().matches('retrying'));
  clock.increment(1);
  await waitFor(actor, (s) => s.matches('idle'));
  t.deepEqual(reactions.map((r) => r.cause), ['create', 'create']);
});

test('a newer event supersedes a pending retry at once', async (t) => {
  const { actor, reactions } = harness({ react: async (input) => (input.event.object.metadata.resourceVersion === '10' ? { outcome: 'delayed', delay: 60 } : { outcome: 'done' }) });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('retrying'));
  actor.send(ev('MODIFIED', 11));
  await waitFor(actor, (s) => s.matches('idle'));
  t.deepEqual(reactions.map((r) => r.event.object.metadata.resourceVersion), ['10', '11']);
});

test('events while busy are coalesced: one more reaction, with the newest body', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let first = true;
  const { actor, reactions } = harness({
    react: async () => {
      if (first) {
        first = false;
        await gate;
      }
      return { outcome: 'done' };
    },
  });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('creating'));
  actor.send(ev('MODIFIED', 11));
  actor.send(ev('MODIFIED', 13));
  actor.send(ev('MODIFIED', 12)); // older than 13: dropped as stale
  t.is(actor.getSnapshot().context.pending?.object.metadata.resourceVersion, '13');
  release();
  await waitFor(actor, (s) => s.matches('idle'));
  t.deepEqual(reactions.map((r) => r.event.object.metadata.resourceVersion), ['10', '13']);
});

test('the echo of our own patch is dropped; a DELETED event never is', async (t) => {
  const { actor, reactions } = harness({
    react: async () => ({ outcome: 'done', body: { metadata: { resourceVersion: '11', handled: '1' }, spec: { v: 1 } } as MachineEvent['object'] }),
  });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('idle'));
  t.is(actor.getSnapshot().context.knownRv, '11');
  actor.send(ev('MODIFIED', 11, { handled: '1' }));
  actor.send(ev('MODIFIED', 9));
  await settle();
  t.is(reactions.length, 1);
  actor.send(ev('DELETED', 11, { handled: '1' }));
  await waitFor(actor, (s) => s.status === 'done');
  t.deepEqual(actor.getSnapshot().output, { reason: 'deleted' });
});

test('API errors are throttled with the error delays; a success resets them', async (t) => {
  let failures = 2;
  const { actor, clock, reactions } = harness({
    react: async () => {
      if (failures-- > 0) throw new Error('503');
      return { outcome: 'done' };
    },
  });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('throttled'));
  t.is(actor.getSnapshot().context.errors, 1);
  clock.increment(999);
  await settle();
  t.true(actor.getSnapshot().matches('throttled'));
  clock.increment(1);
  await waitFor(actor, (s) => s.matches('throttled') && s.context.errors === 2);
  clock.increment(2000);
  await waitFor(actor, (s) => s.matches('idle'));
  t.is(actor.getSnapshot().context.errors, 0);
  t.is(reactions.length, 3);
});

test('operator.stop aborts the reaction in flight and ends in stopped', async (t) => {
  let aborted = false;
  const { actor } = harness({
    react: (_input, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      }),
  });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('creating'));
  actor.send({ type: 'operator.stop' });
  await waitFor(actor, (s) => s.status === 'done');
  t.true(aborted);
  t.deepEqual(actor.getSnapshot().output, { reason: 'stopped' });
});

test('memory: 10,000 idle actors', async (t) => {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const actors = [];
  for (let i = 0; i < 10_000; i++) {
    const { actor } = harness();
    actor.send(ev('MODIFIED', 10, { handled: '1' }, 1));
    actors.push(actor);
  }
  await settle();
  global.gc?.();
  const perActor = (process.memoryUsage().heapUsed - before) / actors.length;
  t.log(`≈ ${(perActor / 1024).toFixed(1)} KB of heap per idle object actor (with its provided machine)`);
  t.true(actors.every((a) => a.getSnapshot().matches('idle') && a.getSnapshot().context.current === null));
  t.true(perActor < 64 * 1024, 'a generous sanity bound');
  for (const a of actors) a.stop();
});

test('an idle actor is passivated after passivateAfter seconds, keeping only its resourceVersion', async (t) => {
  const { actor, clock } = harness({ input: { passivateAfter: 30 } });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('idle'));
  clock.increment(29_999);
  t.is(actor.getSnapshot().status, 'active');
  actor.send(ev('MODIFIED', 10)); // a stale echo does not reset the idle clock
  clock.increment(1);
  t.is(actor.getSnapshot().status, 'done');
  t.true(actor.getSnapshot().matches('passivated'));
  t.deepEqual(actor.getSnapshot().output, { reason: 'passivated', passivated: { knownRv: '10' } });
});

test('a restored actor is idle as before: an echo is stale, a newer change is handled as an update, not a resume', async (t) => {
  const { actor, reactions } = harness({ input: { passivateAfter: 30, restored: { knownRv: '10' } } });
  t.true(actor.getSnapshot().matches('idle'));
  actor.send(ev(null, 10, { handled: '1' }, 1)); // a relist of the same version
  actor.send(ev('MODIFIED', 9, { handled: '1' }, 2)); // older
  await settle();
  t.deepEqual(reactions, []);
  actor.send(ev(null, 11, { handled: '1' }, 2)); // a relist after a change: an update, never a resume
  await waitFor(actor, (s) => s.matches('idle'));
  t.deepEqual(reactions.map((r) => [r.cause, r.initial]), [['update', false]]);
});

test('an actor with a pending retry is not passivated until the retry ran and succeeded', async (t) => {
  let attempts = 0;
  const { actor, clock, reactions } = harness({
    input: { passivateAfter: 1 },
    react: async () => (++attempts === 1 ? { outcome: 'delayed', delay: 60 } : { outcome: 'done' }),
  });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('retrying'));
  clock.increment(59_000);
  t.true(actor.getSnapshot().matches('retrying'));
  clock.increment(1_000);
  await waitFor(actor, (s) => s.matches('idle'));
  t.is(reactions.length, 2);
  clock.increment(1_000);
  t.true(actor.getSnapshot().matches('passivated'));
});

test('an actor with daemons or timers is never passivated; with passivation off no actor is', async (t) => {
  const timer = { id: 't', kind: 'timer' as const, input: { key: 'ns/x', handlerId: 't', initialDelay: 3600, interval: 3600, idle: null, sharp: false, exitTimeout: 1, now: 0 } };
  const { actor, clock } = harness({ input: { passivateAfter: 1 } });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('idle'));
  actor.send({ type: 'background.sync', spawn: [timer], stop: [], changed: false, at: 0 });
  clock.increment(5_000);
  t.true(actor.getSnapshot().matches('idle'));
  t.is(actor.getSnapshot().status, 'active');

  const off = harness({ input: { passivateAfter: null } });
  off.actor.send(ev('ADDED', 10));
  await waitFor(off.actor, (s) => s.matches('idle'));
  off.clock.increment(10 ** 9);
  t.true(off.actor.getSnapshot().matches('idle'));
});

test('asked to passivate (the cap on live actors): an idle actor ends at once; a busy one, one with a timer, or with passivation off does not', async (t) => {
  const { actor } = harness({ input: { passivateAfter: 3600 } });
  actor.send(ev('ADDED', 10));
  await waitFor(actor, (s) => s.matches('idle'));
  actor.send({ type: 'actor.passivate' });
  t.is(actor.getSnapshot().status, 'done', 'no waiting for passivateAfter');
  t.deepEqual(actor.getSnapshot().output, { reason: 'passivated', passivated: { knownRv: '10' } });

  let finish: (() => void) | undefined;
  const busy = harness({ input: { passivateAfter: 3600 }, react: () => new Promise((r) => (finish = () => r({ outcome: 'done' }))) });
  busy.actor.send(ev('ADDED', 10));
  await waitFor(busy.actor, (s) => !s.matches('idle') && !s.matches('observing'));
  busy.actor.send({ type: 'actor.passivate' });
  t.is(busy.actor.getSnapshot().status, 'active', 'a reaction in flight is never cut short');
  finish!();
  await waitFor(busy.actor, (s) => s.matches('idle'));

  const timer = { id: 't', kind: 'timer' as const, input: { key: 'ns/x', handlerId: 't', initialDelay: 3600, interval: 3600, idle: null, sharp: false, exitTimeout: 1, now: 0 } };
  const ticking = harness({ input: { passivateAfter: 3600 } });
  ticking.actor.send(ev('ADDED', 10));
  await waitFor(ticking.actor, (s) => s.matches('idle'));
  ticking.actor.send({ type: 'background.sync', spawn: [timer], stop: [], changed: false, at: 0 });
  ticking.actor.send({ type: 'actor.passivate' });
  t.is(ticking.actor.getSnapshot().status, 'active', 'an object with a timer stays live');

  const off = harness({ input: { passivateAfter: null } });
  off.actor.send(ev('ADDED', 10));
  await waitFor(off.actor, (s) => s.matches('idle'));
  off.actor.send({ type: 'actor.passivate' });
  t.is(off.actor.getSnapshot().status, 'active', 'passivation off: never');
});

test('a passivated record answers staleness as the chart does: not newer is stale, DELETED never is', (t) => {
  t.true(isStaleEvent(ev(null, 10).event, '10'));
  t.true(isStaleEvent(ev('MODIFIED', 9).event, '10'));
  t.false(isStaleEvent(ev('MODIFIED', 11).event, '10'));
  t.false(isStaleEvent(ev('DELETED', 10).event, '10'));
});
