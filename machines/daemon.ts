/**
 * The life of ONE daemon of one object (Kopf's `kopf.daemon`), as an XState statechart: the initial delay,
 * the runs and the backoff between failed runs, and the stopping protocol (signal → after
 * `cancellationBackoff` cancel → after `cancellationTimeout` abandon). Spawned as a child of the object
 * actor by machines/object.ts; the engine (src/engine/background.ts) provides the `run` actor (one
 * invocation, its patch written) and the side effects of stopping. Pure: imports xstate only.
 */
import { assign, fromPromise, not, setup, spawnChild, type ActorRefFrom } from 'xstate';

/** Why a daemon or timer is asked to stop (Kopf's DaemonStoppingReason values that come from outside). */
export type StopReason = 'FILTERS_MISMATCH' | 'RESOURCE_DELETED' | 'OPERATOR_EXITING' | 'OPERATOR_PAUSING';

/** Input of a daemon (and, with the timer's extras, of a timer). */
export interface DaemonInput {
  /** The object actor's key (the engine finds the object by it). */
  key: string;
  handlerId: string;
  /** Seconds before the first run; null: none. */
  initialDelay: number | null;
  cancellationBackoff: number | null;
  cancellationTimeout: number | null;
  /** Seconds an exiting operator waits for a daemon that has no `cancellationTimeout`. */
  exitTimeout: number;
}

/** Input of the `run` actor: which daemon of which object. */
export interface RunInput {
  key: string;
  handlerId: string;
}

/** Output of the daemon's `run` actor. */
export interface DaemonRunOutput {
  /** `finished`: returned, or failed for good (never restarted in this process); `retry`: after `delay` s. */
  outcome: 'finished' | 'retry';
  delay?: number;
}

/** Events a daemon accepts (a timer too). */
export type BackgroundEvent = { type: 'stop'; reason: StopReason } | { type: 'object.changed'; at: number };

/** The `run` child finished (XState's done event of the child with id `run`). */
export interface RunDone<O> {
  type: 'xstate.done.actor.run';
  output: O;
}
/** The `run` child failed (a framework error, not the handler's). */
export interface RunFailed {
  type: 'xstate.error.actor.run';
  error: unknown;
}

/** The daemon's context. */
export interface DaemonContext extends DaemonInput {
  /** Seconds to wait in `backoff`. */
  delay: number;
  stopReason: StopReason | null;
  end: BackgroundOutput['end'] | null;
}

/** How a daemon ended. */
export interface BackgroundOutput {
  handlerId: string;
  end: 'finished' | 'exited' | 'abandoned';
}

/** A run that failed in the framework (not in the handler) is retried after this many seconds. */
const RUN_ERROR_DELAY = 10;

const provided = (name: string) => () => {
  throw new Error(`daemonMachine: the action ${name} must be provided by the engine`);
};

/** The daemon statechart. */
export const daemonMachine = setup({
  types: {
    context: {} as DaemonContext,
    events: {} as BackgroundEvent | RunDone<DaemonRunOutput> | RunFailed,
    input: {} as DaemonInput,
    output: {} as BackgroundOutput,
  },
  actors: {
    run: fromPromise<DaemonRunOutput, RunInput>(async () => {
      throw new Error('daemonMachine: the run actor must be provided by the engine');
    }),
  },
  actions: {
    /** Sets the `stopped` flag with the reason (the daemon sees it at once). */
    signal: provided('signal') as (args: { context: DaemonContext }) => void,
    /** Aborts the async daemon's `signal` kwarg (Kopf cancels its task). */
    cancel: provided('cancel') as (args: { context: DaemonContext }) => void,
    /** Gives up on a daemon that did not exit in time (warns; its pool thread, if any, is terminated). */
    abandon: provided('abandon') as (args: { context: DaemonContext }) => void,
    startRun: spawnChild('run', { id: 'run', input: ({ context }) => ({ key: context.key, handlerId: context.handlerId }) }),
    recordStop: assign({ stopReason: ({ context, event }) => (event.type === 'stop' ? (context.stopReason === 'OPERATOR_EXITING' ? context.stopReason : event.reason) : context.stopReason) }),
    recordRetry: assign({ delay: ({ context, event }) => (event.type === 'xstate.done.actor.run' ? (event.output.delay ?? 0) : context.delay) }),
    recordRunError: assign({ delay: RUN_ERROR_DELAY }),
  },
  guards: {
    hasInitialDelay: ({ context }) => context.initialDelay !== null && context.initialDelay > 0,
    retries: ({ event }) => event.type === 'xstate.done.actor.run' && event.output.outcome === 'retry',
    /** Cancel after the backoff when a timeout is set, or when the operator exits (it cannot wait forever). */
    mayCancel: ({ context }) => context.cancellationTimeout !== null || context.stopReason === 'OPERATOR_EXITING',
    /** The operator started exiting while we were waiting for a deletion stop without a timeout. */
    escalates: ({ context, event }) => event.type === 'stop' && event.reason === 'OPERATOR_EXITING' && context.stopReason !== 'OPERATOR_EXITING',
  },
  delays: {
    initialDelay: ({ context }) => (context.initialDelay ?? 0) * 1000,
    retryDelay: ({ context }) => Math.max(0, context.delay) * 1000,
    cancellationBackoff: ({ context }) => (context.cancellationBackoff ?? 0) * 1000,
    cancellationTimeout: ({ context }) => (context.cancellationTimeout ?? context.exitTimeout) * 1000,
  },
}).createMachine({
  id: 'daemon',
  context: ({ input }) => ({ ...input, delay: 0, stopReason: null, end: null }),
  initial: 'delaying',
  states: {
    /** Waiting out `initialDelay`; a stop ends it at once. */
    delaying: {
      always: { guard: not('hasInitialDelay'), target: 'running' },
      after: { initialDelay: { target: 'running' } },
      on: { stop: { target: 'exited', actions: 'recordStop' } },
    },
    /** The daemon function is running. */
    running: {
      entry: 'startRun',
      on: {
        'xstate.done.actor.run': [
          { guard: 'retries', target: 'backoff', actions: 'recordRetry' },
          { target: 'finished' },
        ],
        'xstate.error.actor.run': { target: 'backoff', actions: 'recordRunError' },
        stop: { target: 'signalled', actions: ['recordStop', 'signal'] },
      },
    },
    /** `stopped` is set; the daemon may exit on its own until `cancellationBackoff` runs out. */
    signalled: {
      after: { cancellationBackoff: { guard: 'mayCancel', target: 'cancelling' } },
      on: {
        'xstate.done.actor.run': { target: 'exited' },
        'xstate.error.actor.run': { target: 'exited' },
        stop: { guard: 'escalates', target: 'signalled', reenter: true, actions: ['recordStop', 'signal'] },
      },
    },
    /** Cancelled (its `signal` aborted); abandoned if still running after `cancellationTimeout`. */
    cancelling: {
      entry: 'cancel',
      after: { cancellationTimeout: { target: 'abandoned' } },
      on: {
        'xstate.done.actor.run': { target: 'exited' },
        'xstate.error.actor.run': { target: 'exited' },
      },
    },
    /** Waiting after a failed run (TemporaryError or any error); a stop ends it at once. */
    backoff: {
      after: { retryDelay: { target: 'running' } },
      on: { stop: { target: 'exited', actions: 'recordStop' } },
    },
    /** Returned or failed for good: not restarted until the operator restarts. */
    finished: { type: 'final', entry: assign({ end: 'finished' as const }) },
    /** Exited on request. */
    exited: { type: 'final', entry: assign({ end: 'exited' as const }) },
    /** Did not exit in time; left behind. */
    abandoned: { type: 'final', entry: [assign({ end: 'abandoned' as const }), 'abandon'] },
  },
  output: ({ context }) => ({ handlerId: context.handlerId, end: context.end ?? 'exited' }),
});

/** A running daemon actor. */
export type DaemonActor = ActorRefFrom<typeof daemonMachine>;
