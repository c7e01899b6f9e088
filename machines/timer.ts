/**
 * The life of ONE timer of one object (Kopf's `kopf.timer`), as an XState statechart: the initial delay,
 * the idle wait (no changes of the object for `idle` seconds), the run, and the sleep until the next tick
 * (`interval`, aligned to the first tick when `sharp`, or the retry delay after a failure). Timers never
 * overlap with themselves. Spawned as a child of the object actor by machines/object.ts; the engine
 * (src/engine/background.ts) provides the `run` actor and the `signal`/`abandon` effects. Time is carried
 * by events (the object's change times, each run's end), so the chart stays pure and runs on a simulated
 * clock. Imports xstate only.
 */
import { assign, fromPromise, not, setup, spawnChild, type ActorRefFrom } from 'xstate';
import type { BackgroundEvent, BackgroundOutput, RunDone, RunFailed, RunInput, StopReason } from './daemon.ts';

/** Input of a timer. */
export interface TimerInput {
  key: string;
  handlerId: string;
  initialDelay: number | null;
  interval: number | null;
  idle: number | null;
  sharp: boolean;
  /** Seconds an exiting operator waits for a run in progress. */
  exitTimeout: number;
  /** The time (ms) the timer was spawned: the idle clock starts here. */
  now: number;
}

/** Output of the timer's `run` actor. */
export interface TimerRunOutput {
  /** Seconds until a retry after a failure; absent after a success (or a permanent failure). */
  delay?: number;
  /** When the run started and ended (ms). */
  startedAt: number;
  endedAt: number;
}

/** The timer's context. */
export interface TimerContext extends TimerInput {
  /** The last time (ms) the object changed (the idle clock). */
  idleSince: number;
  /** The newest time (ms) known to the chart: from events and elapsed delays. */
  clock: number;
  /** Seconds to wait in `sleeping`. */
  delay: number;
  stopReason: StopReason | null;
  end: BackgroundOutput['end'] | null;
}

const provided = (name: string) => () => {
  throw new Error(`timerMachine: the action ${name} must be provided by the engine`);
};

/** A run that failed in the framework (not in the handler) is retried after this many seconds. */
const RUN_ERROR_DELAY = 10;

/** The timer statechart. */
export const timerMachine = setup({
  types: {
    context: {} as TimerContext,
    events: {} as BackgroundEvent | RunDone<TimerRunOutput> | RunFailed,
    input: {} as TimerInput,
    output: {} as BackgroundOutput,
  },
  actors: {
    run: fromPromise<TimerRunOutput, RunInput>(async () => {
      throw new Error('timerMachine: the run actor must be provided by the engine');
    }),
  },
  actions: {
    signal: provided('signal') as (args: { context: TimerContext }) => void,
    abandon: provided('abandon') as (args: { context: TimerContext }) => void,
    startRun: spawnChild('run', { id: 'run', input: ({ context }) => ({ key: context.key, handlerId: context.handlerId }) }),
    recordStop: assign({ stopReason: ({ context, event }) => (event.type === 'stop' && context.stopReason !== 'OPERATOR_EXITING' ? event.reason : context.stopReason) }),
    recordChange: assign(({ context, event }) => (event.type === 'object.changed' ? { idleSince: event.at, clock: Math.max(context.clock, event.at) } : {})),
    /** After a run: the next sleep (Kopf's order: a failure's delay; sharp; interval). */
    recordRun: assign(({ context, event }) => {
      if (event.type !== 'xstate.done.actor.run') return {};
      const { delay, startedAt, endedAt } = event.output;
      let next: number;
      if (delay !== undefined) next = delay;
      else if (context.sharp && context.interval) {
        // The next tick starts a whole number of intervals after this one started, however long it ran.
        const period = context.interval * 1000;
        next = (period - ((endedAt - startedAt) % period)) / 1000;
      } else next = context.interval ?? 0;
      return { clock: Math.max(context.clock, endedAt), delay: next };
    }),
    recordRunError: assign({ delay: RUN_ERROR_DELAY }),
    /** The sleep has passed: move the clock on by it. */
    advanceClock: assign({ clock: ({ context }) => context.clock + context.delay * 1000 }),
  },
  guards: {
    hasInitialDelay: ({ context }) => context.initialDelay !== null && context.initialDelay > 0,
    hasIdle: ({ context }) => context.idle !== null,
    /** The object changed less than `idle` seconds ago (by the chart's clock). */
    changedLately: ({ context }) => context.idle !== null && context.idleSince + context.idle * 1000 > context.clock,
    failed: ({ event }) => event.type === 'xstate.done.actor.run' && event.output.delay !== undefined,
    repeats: ({ context }) => context.interval !== null,
    isExiting: ({ context }) => context.stopReason === 'OPERATOR_EXITING',
    /** The operator started exiting while a deletion waited for the run to end. */
    escalates: ({ context, event }) => event.type === 'stop' && event.reason === 'OPERATOR_EXITING' && context.stopReason !== 'OPERATOR_EXITING',
  },
  delays: {
    initialDelay: ({ context }) => (context.initialDelay ?? 0) * 1000,
    /** What is left of `idle` since the last change, by the chart's clock. */
    idleLeft: ({ context }) => Math.max(0, context.idleSince + (context.idle ?? 0) * 1000 - context.clock),
    sleep: ({ context }) => Math.max(0, context.delay) * 1000,
    exitTimeout: ({ context }) => context.exitTimeout * 1000,
  },
}).createMachine({
  id: 'timer',
  context: ({ input }) => ({ ...input, idleSince: input.now, clock: input.now, delay: 0, stopReason: null, end: null }),
  initial: 'delaying',
  on: {
    'object.changed': { actions: 'recordChange' },
  },
  states: {
    /** Waiting out `initialDelay`. */
    delaying: {
      always: { guard: not('hasInitialDelay'), target: 'due' },
      after: { initialDelay: { target: 'due', actions: assign({ clock: ({ context }) => context.clock + (context.initialDelay ?? 0) * 1000 }) } },
      on: { stop: { target: 'exited', actions: 'recordStop' } },
    },
    /** A tick is due: run now, or first wait until the object has been idle long enough. */
    due: {
      always: [{ guard: 'changedLately', target: 'idling' }, { target: 'running' }],
    },
    /** Waiting until the object has not changed for `idle` seconds; every change restarts the wait. */
    idling: {
      after: { idleLeft: { target: 'running' } },
      on: {
        'object.changed': { target: 'idling', reenter: true, actions: 'recordChange' },
        stop: { target: 'exited', actions: 'recordStop' },
      },
    },
    /** The timer function is running (never twice at once). */
    running: {
      entry: 'startRun',
      on: {
        'xstate.done.actor.run': [
          { guard: 'failed', target: 'sleeping', actions: 'recordRun' },
          { guard: 'repeats', target: 'sleeping', actions: 'recordRun' },
          { guard: 'hasIdle', target: 'awaitingChange', actions: 'recordRun' },
          { target: 'finished', actions: 'recordRun' },
        ],
        'xstate.error.actor.run': { target: 'sleeping', actions: 'recordRunError' },
        stop: { target: 'stopping', actions: ['recordStop', 'signal'] },
      },
    },
    /** Until the next tick (`interval`, sharp alignment, or a retry delay). */
    sleeping: {
      after: { sleep: { target: 'due', actions: 'advanceClock' } },
      on: { stop: { target: 'exited', actions: 'recordStop' } },
    },
    /** An idle-only timer after its run: the next change starts the idle wait again. */
    awaitingChange: {
      on: {
        'object.changed': { target: 'idling', actions: 'recordChange' },
        stop: { target: 'exited', actions: 'recordStop' },
      },
    },
    /** `stopped` is set during a run; waiting for it to end (at most `exitTimeout` when the operator exits). */
    stopping: {
      after: { exitTimeout: { guard: 'isExiting', target: 'abandoned' } },
      on: {
        'xstate.done.actor.run': { target: 'exited' },
        'xstate.error.actor.run': { target: 'exited' },
        stop: { guard: 'escalates', target: 'stopping', reenter: true, actions: 'recordStop' },
      },
    },
    /** Ran once (neither `interval` nor `idle`). */
    finished: { type: 'final', entry: assign({ end: 'finished' as const }) },
    exited: { type: 'final', entry: assign({ end: 'exited' as const }) },
    abandoned: { type: 'final', entry: [assign({ end: 'abandoned' as const }), 'abandon'] },
  },
  output: ({ context }) => ({ handlerId: context.handlerId, end: context.end ?? 'exited' }),
});

/** A running timer actor. */
export type TimerActor = ActorRefFrom<typeof timerMachine>;
