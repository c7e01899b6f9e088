// Unit tests of machines/daemon.ts and machines/timer.ts on XState's simulated clock: initial delays,
// retries after the delay, the stopping protocol (signal → cancel → abandon), interval, sharp and idle
// timing, and the object machine holding deletion until its daemons have exited. No cluster, no waiting.
import test from 'ava';
import { createActor, fromPromise, SimulatedClock, type AnyActorRef } from 'xstate';
import { daemonMachine, type DaemonRunOutput, type RunInput } from '../../machines/daemon.ts';
import { timerMachine, type TimerRunOutput } from '../../machines/timer.ts';
import { objectMachine, type MachineEvent, type ReactInput, type ReactOutput, type ReleaseInput, type ReleaseOutput } from '../../machines/object.ts';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A run whose completion the test controls. */
function controlledRuns<O>() {
  const calls: { resolve: (o: O) => void; signal: AbortSignal }[] = [];
  const logic = fromPromise<O, RunInput>(({ signal }) => new Promise<O>((resolve) => calls.push({ resolve, signal })));
  return { calls, logic };
}

function daemon(options: { initialDelay?: number | null; cancellationBackoff?: number | null; cancellationTimeout?: number | null } = {}) {
  const clock = new SimulatedClock();
  const runs = controlledRuns<DaemonRunOutput>();
  const effects: string[] = [];
  const machine = daemonMachine.provide({
    actors: { run: runs.logic },
    actions: {
      signal: ({ context }) => effects.push(`signal:${context.stopReason}`),
      cancel: () => effects.push('cancel'),
      abandon: () => effects.push('abandon'),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      key: 'k',
      handlerId: 'daemon:d',
      initialDelay: options.initialDelay ?? null,
      cancellationBackoff: options.cancellationBackoff ?? null,
      cancellationTimeout: options.cancellationTimeout ?? null,
      exitTimeout: 2,
    },
  });
  actor.start();
  return { actor, clock, runs, effects };
}

test('daemon: waits out the initial delay, then runs; a temporary failure is retried after its delay', async (t) => {
  const { actor, clock, runs } = daemon({ initialDelay: 5 });
  t.is(actor.getSnapshot().value, 'delaying');
  clock.increment(4999);
  t.is(runs.calls.length, 0);
  clock.increment(1);
  await settle();
  t.is(actor.getSnapshot().value, 'running');
  t.is(runs.calls.length, 1);
  runs.calls[0]!.resolve({ outcome: 'retry', delay: 3 });
  await settle();
  t.is(actor.getSnapshot().value, 'backoff');
  clock.increment(2999);
  t.is(runs.calls.length, 1);
  clock.increment(1);
  await settle();
  t.is(runs.calls.length, 2);
  runs.calls[1]!.resolve({ outcome: 'finished' });
  await settle();
  t.is(actor.getSnapshot().status, 'done');
  t.deepEqual(actor.getSnapshot().output, { handlerId: 'daemon:d', end: 'finished' });
});

test('daemon: a stop during the initial delay or a backoff exits at once, without running', async (t) => {
  const { actor, runs } = daemon({ initialDelay: 60 });
  actor.send({ type: 'stop', reason: 'RESOURCE_DELETED' });
  await settle();
  t.is(runs.calls.length, 0);
  t.deepEqual(actor.getSnapshot().output, { handlerId: 'daemon:d', end: 'exited' });
});

test('daemon: stopping signals, cancels after the backoff, abandons after the timeout', async (t) => {
  const { actor, clock, runs, effects } = daemon({ cancellationBackoff: 1, cancellationTimeout: 0.5 });
  await settle();
  actor.send({ type: 'stop', reason: 'RESOURCE_DELETED' });
  t.deepEqual(effects, ['signal:RESOURCE_DELETED']);
  t.is(actor.getSnapshot().value, 'signalled');
  clock.increment(999);
  t.deepEqual(effects, ['signal:RESOURCE_DELETED']);
  clock.increment(1);
  t.is(actor.getSnapshot().value, 'cancelling');
  t.deepEqual(effects, ['signal:RESOURCE_DELETED', 'cancel']);
  clock.increment(500);
  await settle();
  t.deepEqual(effects, ['signal:RESOURCE_DELETED', 'cancel', 'abandon']);
  t.deepEqual(actor.getSnapshot().output, { handlerId: 'daemon:d', end: 'abandoned' });
  t.true(runs.calls[0]!.signal.aborted, 'the abandoned run is stopped (its pool thread terminated)');
});

test('daemon: one that exits when signalled has exited, not abandoned', async (t) => {
  const { actor, clock, runs, effects } = daemon({ cancellationBackoff: 1, cancellationTimeout: 0.5 });
  await settle();
  actor.send({ type: 'stop', reason: 'FILTERS_MISMATCH' });
  clock.increment(300);
  runs.calls[0]!.resolve({ outcome: 'finished' });
  await settle();
  t.deepEqual(effects, ['signal:FILTERS_MISMATCH']);
  t.deepEqual(actor.getSnapshot().output, { handlerId: 'daemon:d', end: 'exited' });
});

test('daemon: without a cancellation timeout it is waited for; an exiting operator then cancels it', async (t) => {
  const { actor, clock, effects } = daemon();
  await settle();
  actor.send({ type: 'stop', reason: 'RESOURCE_DELETED' });
  clock.increment(3_600_000);
  t.is(actor.getSnapshot().value, 'signalled', 'a deletion waits for the daemon as long as it runs');
  actor.send({ type: 'stop', reason: 'RESOURCE_DELETED' });
  t.deepEqual(effects, ['signal:RESOURCE_DELETED'], 'a repeated stop changes nothing');
  actor.send({ type: 'stop', reason: 'OPERATOR_EXITING' });
  clock.increment(0);
  t.is(actor.getSnapshot().value, 'cancelling');
  clock.increment(2000);
  await settle();
  t.deepEqual(actor.getSnapshot().output, { handlerId: 'daemon:d', end: 'abandoned' });
});

function timer(options: { initialDelay?: number | null; interval?: number | null; idle?: number | null; sharp?: boolean } = {}) {
  const clock = new SimulatedClock();
  const runs = controlledRuns<TimerRunOutput>();
  const machine = timerMachine.provide({
    actors: { run: runs.logic },
    actions: { signal: () => undefined, abandon: () => undefined },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      key: 'k',
      handlerId: 'timer:t',
      initialDelay: options.initialDelay ?? null,
      interval: options.interval ?? null,
      idle: options.idle ?? null,
      sharp: options.sharp ?? false,
      exitTimeout: 2,
      now: 0,
    },
  });
  actor.start();
  return { actor, clock, runs };
}

test('timer: runs every interval after the previous run ended', async (t) => {
  const { actor, clock, runs } = timer({ interval: 10 });
  await settle();
  t.is(runs.calls.length, 1);
  clock.increment(3000);
  runs.calls[0]!.resolve({ startedAt: 0, endedAt: 3000 });
  await settle();
  t.is(actor.getSnapshot().value, 'sleeping');
  clock.increment(9999);
  t.is(runs.calls.length, 1);
  clock.increment(1);
  await settle();
  t.is(runs.calls.length, 2);
});

test('timer: sharp runs start an interval after the previous run STARTED', async (t) => {
  const { clock, runs } = timer({ interval: 10, sharp: true });
  await settle();
  runs.calls[0]!.resolve({ startedAt: 0, endedAt: 3000 });
  await settle();
  clock.increment(6999);
  t.is(runs.calls.length, 1);
  clock.increment(1);
  await settle();
  t.is(runs.calls.length, 2, '7 s after a run of 3 s');
});

test('timer: a failure is retried after its delay instead of the interval', async (t) => {
  const { clock, runs } = timer({ interval: 60 });
  await settle();
  runs.calls[0]!.resolve({ delay: 2, startedAt: 0, endedAt: 0 });
  await settle();
  clock.increment(2000);
  await settle();
  t.is(runs.calls.length, 2);
});

test('timer: idle waits for `idle` seconds without changes; every change restarts the wait', async (t) => {
  const { actor, clock, runs } = timer({ idle: 5 });
  t.is(actor.getSnapshot().value, 'idling');
  clock.increment(4000);
  actor.send({ type: 'object.changed', at: 4000 });
  clock.increment(4000);
  t.is(runs.calls.length, 0, 'the change at 4 s moved the run to 9 s');
  clock.increment(1000);
  await settle();
  t.is(runs.calls.length, 1);
  runs.calls[0]!.resolve({ startedAt: 9000, endedAt: 9000 });
  await settle();
  t.is(actor.getSnapshot().value, 'awaitingChange', 'an idle-only timer waits for the next change');
  actor.send({ type: 'object.changed', at: 20_000 });
  t.is(actor.getSnapshot().value, 'idling');
});

test('timer: with idle and interval, an old change lets the next tick run right after the interval', async (t) => {
  const { clock, runs } = timer({ idle: 5, interval: 10 });
  clock.increment(5000);
  await settle();
  t.is(runs.calls.length, 1);
  runs.calls[0]!.resolve({ startedAt: 5000, endedAt: 5000 });
  await settle();
  clock.increment(10_000);
  await settle();
  t.is(runs.calls.length, 2, 'idle for 15 s already: no extra wait');
});

test('timer: neither interval nor idle runs once', async (t) => {
  const { actor, runs } = timer();
  await settle();
  runs.calls[0]!.resolve({ startedAt: 0, endedAt: 0 });
  await settle();
  t.deepEqual(actor.getSnapshot().output, { handlerId: 'timer:t', end: 'finished' });
});

test('object: deletion stops the daemons and holds the finalizer until they have exited', async (t) => {
  const clock = new SimulatedClock();
  const runs = controlledRuns<DaemonRunOutput>();
  const releases: unknown[] = [];
  const machine = objectMachine.provide({
    actors: {
      react: fromPromise<ReactOutput, ReactInput>(async () => ({ outcome: 'done' })),
      release: fromPromise<ReleaseOutput, ReleaseInput>(async () => {
        releases.push(1);
        return { gone: true };
      }),
      daemon: daemonMachine.provide({ actors: { run: runs.logic }, actions: { signal: () => undefined, cancel: () => undefined, abandon: () => undefined } }),
    },
    guards: { hasFinalizer: () => true, isNew: () => false, hasChanges: () => false, hasResumeHandlers: () => false },
  });
  const actor = createActor(machine, { clock, input: { key: 'k' } });
  actor.start();
  const event = (rv: string, deleting: boolean): { type: 'watch.event'; event: MachineEvent } => ({
    type: 'watch.event',
    event: { type: 'MODIFIED', object: { metadata: { resourceVersion: rv, deletionTimestamp: deleting ? '2026-01-01T00:00:00Z' : null } } },
  });
  actor.send(event('1', false));
  actor.send({
    type: 'background.sync',
    spawn: [{ id: 'daemon:d', kind: 'daemon', input: { key: 'k', handlerId: 'daemon:d', initialDelay: null, cancellationBackoff: null, cancellationTimeout: null, exitTimeout: 2 } }],
    stop: [],
    changed: true,
    at: 0,
  });
  await settle();
  t.deepEqual(actor.getSnapshot().context.background, ['daemon:d']);
  t.is(runs.calls.length, 1);
  const child = actor.getSnapshot().children['daemon:d'] as AnyActorRef;
  t.is(child.getSnapshot().value, 'running');

  actor.send(event('2', true));
  await settle();
  t.is(actor.getSnapshot().value, 'awaitingBackground');
  t.is(child.getSnapshot().value, 'signalled');
  t.is(releases.length, 0, 'the finalizer is held while the daemon runs');
  runs.calls[0]!.resolve({ outcome: 'finished' });
  await settle();
  t.is(releases.length, 1);
  t.deepEqual(actor.getSnapshot().context.background, []);
  t.is(actor.getSnapshot().status, 'done');
});
