/**
 * The lifecycle of ONE Kubernetes object as an XState statechart: the decisions (which cause applies, when to
 * retry, when to release the finalizer, when the object is done) live here; the engine provides the side
 * effects (`react`, `release`) and the guards that need handler knowledge. Pure: imports xstate only.
 * Created per object by src/engine/object-actor.ts; drawn by `kopf-ts machines`; shown live in devtools.
 */
import { and, assign, not, setup, type ActorRefFrom } from 'xstate';
import { fromPromise } from 'xstate';
import { isNewer } from './resource-version.ts';

/** The minimal shape of a watch event the machine reads. */
export interface MachineEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | null;
  object: { metadata: { resourceVersion?: string; deletionTimestamp?: string | null } };
}

/** The causes that run change handlers. */
export type Cause = 'create' | 'update' | 'resume' | 'delete';

/** Input of the `react` actor. */
export interface ReactInput {
  key: string;
  event: MachineEvent;
  cause: Cause;
  initial: boolean;
}

/** Output of the `react` actor. */
export interface ReactOutput {
  outcome: 'done' | 'delayed';
  /** Seconds until the next attempt. */
  delay?: number;
  /** The newest body returned by our own writes (replaces the event's object). */
  body?: MachineEvent['object'];
  /** The object vanished (404) while writing. */
  gone?: boolean;
}

/** Output of the `release` actor: the newest body, or the object is gone. */
export interface ReleaseOutput {
  gone?: boolean;
  body?: MachineEvent['object'];
}

/** Input of the `release` actor. */
export interface ReleaseInput {
  key: string;
  event: MachineEvent;
}

/** Events the machine accepts. */
export type ObjectMachineEvent = { type: 'watch.event'; event: MachineEvent } | { type: 'operator.stop' };

/** The machine's context. */
export interface ObjectContext {
  key: string;
  /** The body being (or to be) classified or reacted to; null while idle (no body kept). */
  current: MachineEvent | null;
  /** A newer event that arrived while busy (coalesced: only the newest is kept). */
  pending: MachineEvent | null;
  /** The newest resourceVersion known (from events and our own writes). */
  knownRv: string | null;
  /** First seen by a LIST and not yet fully handled once in this process (Kopf's `initial`). */
  initial: boolean;
  /** The cause of the current reaction. */
  cause: Cause | null;
  /** Seconds to wait in `retrying`. */
  delay: number;
  /** Consecutive framework/API errors (index into errorDelays). */
  errors: number;
  errorDelays: number[];
  /** Why the machine ended. */
  reason: 'deleted' | 'stopped' | null;
}

/** Input of the machine. */
export interface ObjectInput {
  key: string;
  errorDelays?: number[];
}

const DEFAULT_ERROR_DELAYS = [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610];

const notProvided = (name: string) => () => {
  throw new Error(`objectMachine: the guard ${name} must be provided by the engine`);
};

function eventOf(context: ObjectContext): MachineEvent {
  if (!context.current) throw new Error('objectMachine: no body to classify');
  return context.current;
}

/** Takes the newest of the pending event and the current body (DELETED always wins). */
function newest(current: MachineEvent | null, pending: MachineEvent | null): MachineEvent | null {
  if (!pending) return current;
  if (!current || pending.type === 'DELETED') return pending;
  return isNewer(pending.object.metadata.resourceVersion, current.object.metadata.resourceVersion) ? pending : current;
}

/** The object lifecycle statechart. */
export const objectMachine = setup({
  types: {
    context: {} as ObjectContext,
    events: {} as ObjectMachineEvent,
    input: {} as ObjectInput,
    output: {} as { reason: ObjectContext['reason'] },
  },
  actors: {
    react: fromPromise<ReactOutput, ReactInput>(async () => {
      throw new Error('objectMachine: the react actor must be provided by the engine');
    }),
    release: fromPromise<ReleaseOutput, ReleaseInput>(async () => {
      throw new Error('objectMachine: the release actor must be provided by the engine');
    }),
  },
  guards: {
    /** The object carries our finalizer. */
    hasFinalizer: notProvided('hasFinalizer') as (args: { context: ObjectContext }) => boolean,
    /** The object has no diff-base: never handled (and not in stealth mode). */
    isNew: notProvided('isNew') as (args: { context: ObjectContext }) => boolean,
    /** The essence differs from the diff-base. */
    hasChanges: notProvided('hasChanges') as (args: { context: ObjectContext }) => boolean,
    /** Resume handlers apply to this object. */
    hasResumeHandlers: notProvided('hasResumeHandlers') as (args: { context: ObjectContext }) => boolean,
    isGone: ({ context }) => eventOf(context).type === 'DELETED',
    isDeleting: ({ context }) => Boolean(eventOf(context).object.metadata.deletionTimestamp),
    isInitial: ({ context }) => context.initial,
    /** The event is not newer than what we know: our own patch's echo, or older. DELETED is never stale. */
    isStale: ({ context, event }) =>
      event.type === 'watch.event' && event.event.type !== 'DELETED' && !isNewer(event.event.object.metadata.resourceVersion, context.knownRv),
    reactionGone: ({ event }) => outputOf(event).gone === true,
    reactionDelayed: ({ event }) => outputOf(event).outcome === 'delayed',
    /** A reaction wrote (its returned body is newer) or a newer event arrived meanwhile. */
    releaseGone: ({ event }) => (event as unknown as { output: { gone?: boolean } }).output.gone === true,
    hasMoreToClassify: ({ context, event }) => Boolean(outputOf(event).body) || context.pending !== null,
  },
  delays: {
    retryDelay: ({ context }) => Math.max(0, context.delay) * 1000,
    errorDelay: ({ context }) => {
      const delays = context.errorDelays;
      return (delays[Math.min(context.errors - 1, delays.length - 1)] ?? 1) * 1000;
    },
  },
  actions: {
    takeEvent: assign(({ context, event }) => {
      if (event.type !== 'watch.event') return {};
      const rv = event.event.object.metadata.resourceVersion ?? null;
      return {
        current: event.event,
        pending: null,
        knownRv: isNewer(rv, context.knownRv) ? rv : context.knownRv,
        initial: context.knownRv === null && context.current === null && event.event.type === null ? true : context.initial,
      };
    }),
    keepPending: assign(({ context, event }) => {
      if (event.type !== 'watch.event') return {};
      const rv = event.event.object.metadata.resourceVersion ?? null;
      return {
        pending: newest(context.pending, event.event),
        knownRv: isNewer(rv, context.knownRv) ? rv : context.knownRv,
      };
    }),
    /** After a reaction: continue with the newest of the pending event and our own written body. */
    takeNewest: assign(({ context }) => ({ current: newest(context.current, context.pending), pending: null })),
    forgetBody: assign({ current: null, pending: null, cause: null }),
    markDeleted: assign({ reason: 'deleted' as const }),
    countError: assign({ errors: ({ context }) => context.errors + 1 }),
    recordDelayed: assign(({ context, event }) => {
      const output = outputOf(event);
      return withOutput(context, output, { delay: output.delay ?? 0 });
    }),
    recordDone: assign(({ context, event }) => {
      const output = outputOf(event);
      const updated = withOutput(context, output, {});
      return { ...updated, current: newest(updated.current ?? null, context.pending), pending: null, initial: false };
    }),
    takeReleased: assign(({ context, event }) => {
      const body = (event as unknown as { output: { body?: MachineEvent['object'] } }).output.body;
      const updated = body ? withOutput(context, { outcome: 'done', body }, {}) : {};
      return { ...updated, current: newest(updated.current ?? context.current, context.pending), pending: null };
    }),
    recordDoneIdle: assign(({ context, event }) => ({ ...withOutput(context, outputOf(event), {}), initial: false })),
    recordReleasing: assign(({ context, event }) => withOutput(context, outputOf(event), {})),
    handledOnce: assign({ initial: false }),
  },
}).createMachine({
  id: 'object',
  context: ({ input }) => ({
    key: input.key,
    current: null,
    pending: null,
    knownRv: null,
    initial: false,
    cause: null,
    delay: 0,
    errors: 0,
    errorDelays: input.errorDelays ?? DEFAULT_ERROR_DELAYS,
    reason: null,
  }),
  initial: 'idle',
  on: {
    'operator.stop': { target: '.stopped' },
  },
  states: {
    idle: {
      entry: 'forgetBody',
      on: {
        'watch.event': [{ guard: 'isStale' }, { target: 'observing', actions: 'takeEvent' }],
      },
    },
    observing: {
      always: [
        { guard: 'isGone', target: 'gone', actions: assign({ reason: 'deleted' }) },
        { guard: and(['isDeleting', not('hasFinalizer')]), target: 'idle', actions: 'handledOnce' },
        { guard: { type: 'isDeleting' }, target: 'deleting', actions: assign({ cause: 'delete' as Cause }) },
        { guard: 'isNew', target: 'creating', actions: assign({ cause: 'create' as Cause, initial: false }) },
        { guard: 'hasChanges', target: 'updating', actions: assign({ cause: 'update' as Cause }) },
        { guard: { type: 'isInitial' }, target: 'resuming', actions: assign({ cause: 'resume' as Cause }) },
        { target: 'idle', actions: 'handledOnce' },
      ],
    },
    creating: causeState('observing'),
    updating: causeState('observing'),
    resuming: causeState('observing'),
    deleting: causeState('releasing'),
    retrying: {
      after: { retryDelay: { target: 'observing', actions: 'takeNewest' } },
      on: {
        'watch.event': [{ guard: 'isStale' }, { target: 'observing', actions: 'takeEvent' }],
      },
    },
    throttled: {
      after: { errorDelay: { target: 'observing', actions: 'takeNewest' } },
      on: {
        'watch.event': [{ guard: 'isStale' }, { actions: 'keepPending' }],
      },
    },
    releasing: {
      invoke: {
        src: 'release',
        input: ({ context }) => ({ key: context.key, event: eventOf(context) }),
        onDone: [
          { guard: 'releaseGone', target: 'gone', actions: 'markDeleted' },
          { target: 'observing', actions: 'takeReleased' },
        ],
        onError: { target: 'throttled', actions: 'countError' },
      },
      on: {
        'watch.event': [{ guard: 'isStale' }, { actions: 'keepPending' }],
      },
    },
    gone: { type: 'final' },
    stopped: { type: 'final', entry: assign({ reason: 'stopped' }) },
  },
  output: ({ context }) => ({ reason: context.reason }),
});

/**
 * A cause state (creating, updating, resuming, deleting): invoke `react`; when it is done go to `done`
 * (observing, or releasing for deletions) or idle, when delayed to retrying, on errors to throttled;
 * newer events meanwhile are coalesced.
 */
function causeState(done: 'observing' | 'releasing') {
  const finished =
    done === 'observing'
      ? ([
          { guard: 'hasMoreToClassify', target: 'observing', actions: 'recordDone' },
          { target: 'idle', actions: 'recordDoneIdle' },
        ] as const)
      : ([{ target: 'releasing', actions: 'recordReleasing' }] as const);
  return {
    invoke: {
      src: 'react',
      input: reactInput,
      onDone: [
        { guard: 'reactionGone', target: 'gone', actions: 'markDeleted' },
        { guard: 'reactionDelayed', target: 'retrying', actions: 'recordDelayed' },
        ...finished,
      ],
      onError: { target: 'throttled', actions: 'countError' },
    },
    on: { 'watch.event': [{ guard: 'isStale' }, { actions: 'keepPending' }] },
  } as const;
}

function reactInput({ context }: { context: ObjectContext }): ReactInput {
  return { key: context.key, event: eventOf(context), cause: context.cause ?? 'update', initial: context.initial };
}

function outputOf(event: unknown): ReactOutput {
  return (event as { output: ReactOutput }).output;
}

function replaceBody(current: MachineEvent | null, output: ReactOutput): MachineEvent | null {
  if (!output.body || !current) return current;
  return { type: current.type === null ? null : 'MODIFIED', object: output.body };
}

function withOutput(context: ObjectContext, output: ReactOutput, extra: Partial<ObjectContext>): Partial<ObjectContext> {
  const rv = output.body?.metadata.resourceVersion ?? null;
  return {
    errors: 0,
    knownRv: isNewer(rv, context.knownRv) ? rv : context.knownRv,
    current: replaceBody(context.current, output),
    ...extra,
  };
}

/** A running object actor. */
export type ObjectActor = ActorRefFrom<typeof objectMachine>;
