/**
 * The lifecycle of ONE Kubernetes object as an XState statechart: the decisions (which cause applies, when to
 * retry, when to release the finalizer, when the object is done) live here; the engine provides the side
 * effects (`react`, `release`) and the guards that need handler knowledge. Pure: imports xstate only.
 * Created per object by src/engine/object-actor.ts; drawn by `kopf-ts machines`; shown live in devtools.
 */
import { and, assign, enqueueActions, not, setup, type ActorRefFrom } from 'xstate';
import { fromPromise } from 'xstate';
import { daemonMachine, type BackgroundOutput, type DaemonInput, type StopReason } from './daemon.ts';
import { isNewer } from './resource-version.ts';
import { timerMachine, type TimerInput } from './timer.ts';

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

/** A daemon or timer that should run for the object (spawned unless it already runs). */
export type SpawnRequest = { id: string; kind: 'daemon'; input: DaemonInput } | { id: string; kind: 'timer'; input: TimerInput };

/**
 * What the engine found for the newest event of the object: the daemons and timers whose filters match
 * (`spawn`), the running ones to stop (`stop`, e.g. filters no longer match), and whether the object changed
 * (for the timers' idle clocks).
 */
export interface BackgroundSync {
  type: 'background.sync';
  spawn: SpawnRequest[];
  stop: { id: string; reason: StopReason }[];
  changed: boolean;
  /** When the event was seen (ms). */
  at: number;
}

/** Events the machine accepts. */
export type ObjectMachineEvent =
  | { type: 'watch.event'; event: MachineEvent }
  | BackgroundSync
  /** Stop every daemon and timer (the operator exits): they follow their own stopping protocol. */
  | { type: 'background.stop'; reason: StopReason }
  | { type: 'operator.stop' }
  /** Passivate now if idle (the dispatcher's cap on live actors), without waiting for `passivateAfter`. */
  | { type: 'actor.passivate' }
  | { type: `xstate.done.actor.${string}`; output?: BackgroundOutput }
  | { type: `xstate.error.actor.${string}`; error?: unknown };

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
  /** Why the machine ended (`passivated`: idle long enough to be reduced to its {@link PassivatedRecord}). */
  reason: 'deleted' | 'stopped' | 'passivated' | null;
  /** Seconds an idle actor without daemons or timers waits before it is passivated; null: never. */
  passivateAfter: number | null;
  /** Ids of the running daemon and timer children. */
  background: string[];
}

/** Input of the machine. */
export interface ObjectInput {
  key: string;
  errorDelays?: number[];
  /** Seconds of idleness before passivation (see {@link ObjectContext.passivateAfter}); default null: never. */
  passivateAfter?: number | null;
  /** Restores a passivated actor: it starts idle, knowing this resourceVersion (so echoes stay stale). */
  restored?: PassivatedRecord;
}

/**
 * What remains of a passivated actor (an idle object without daemons, timers or pending retries): everything
 * the machine needs to decide "stale or not" for the next event. No body, no handler state (that lives in
 * the object's annotations); a restored actor starts in `idle` exactly as the passivated one was.
 */
export interface PassivatedRecord {
  knownRv: string;
}

/** The machine's output when it ends. */
export interface ObjectOutput {
  reason: ObjectContext['reason'];
  /** Set when the reason is `passivated`. */
  passivated?: PassivatedRecord;
}

const DEFAULT_ERROR_DELAYS = [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610];

const notProvided = (name: string) => () => {
  throw new Error(`objectMachine: the guard ${name} must be provided by the engine`);
};

function eventOf(context: ObjectContext): MachineEvent {
  if (!context.current) throw new Error('objectMachine: no body to classify');
  return context.current;
}

/**
 * Whether a watch event is not newer than the known resourceVersion (our own patch's echo, or older): the
 * machine's `isStale` guard. DELETED is never stale. The dispatcher asks it for a passivated object too (its
 * record's `knownRv`), so a stale event (a relist, say) does not restore the actor only to be dropped.
 */
export function isStaleEvent(event: MachineEvent, knownRv: string | null): boolean {
  return event.type !== 'DELETED' && !isNewer(event.object.metadata.resourceVersion, knownRv);
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
    output: {} as ObjectOutput,
  },
  actors: {
    react: fromPromise<ReactOutput, ReactInput>(async () => {
      throw new Error('objectMachine: the react actor must be provided by the engine');
    }),
    release: fromPromise<ReleaseOutput, ReleaseInput>(async () => {
      throw new Error('objectMachine: the release actor must be provided by the engine');
    }),
    daemon: daemonMachine,
    timer: timerMachine,
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
    isStale: ({ context, event }) => event.type === 'watch.event' && isStaleEvent(event.event, context.knownRv),
    reactionGone: ({ event }) => outputOf(event).gone === true,
    reactionDelayed: ({ event }) => outputOf(event).outcome === 'delayed',
    /** A reaction wrote (its returned body is newer) or a newer event arrived meanwhile. */
    releaseGone: ({ event }) => (event as unknown as { output: { gone?: boolean } }).output.gone === true,
    hasMoreToClassify: ({ context, event }) => Boolean(outputOf(event).body) || context.pending !== null,
    /**
     * An idle actor may be passivated: passivation is on, no daemon or timer runs, and a resourceVersion is
     * known (a retry or an error backoff is never pending in `idle`: they wait in `retrying`/`throttled`).
     */
    mayPassivate: ({ context }) => context.passivateAfter !== null && context.background.length === 0 && context.knownRv !== null,
    /** Daemons or timers still run (the finalizer stays until they exit). */
    hasBackground: ({ context }) => context.background.length > 0,
    /** The child that just ended was the last daemon or timer. */
    lastBackground: ({ context, event }) => context.background.length === 1 && context.background[0] === childIdOf(event.type),
  },
  delays: {
    /**
     * Passivation off: no number, so XState raises the event at once instead of scheduling a timer (no
     * timer per idle actor), and `mayPassivate` rejects it (tested in test/machines/passivation.test.ts).
     */
    passivateDelay: ({ context }) => (context.passivateAfter === null ? (undefined as unknown as number) : Math.max(0, context.passivateAfter) * 1000),
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
    /** Spawns the requested daemons/timers that do not run yet, stops the unwanted ones, tells them of changes. */
    syncBackground: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'background.sync') return;
      const children = self.getSnapshot().children as Record<string, unknown>;
      const running = context.background.filter((id) => children[id]);
      for (const request of event.spawn) {
        if (context.background.includes(request.id)) continue;
        if (request.kind === 'daemon') enqueue.spawnChild('daemon', { id: request.id, input: request.input });
        else enqueue.spawnChild('timer', { id: request.id, input: request.input });
      }
      for (const { id, reason } of event.stop) if (running.includes(id)) enqueue.sendTo(id, { type: 'stop', reason });
      if (event.changed) for (const id of running) enqueue.sendTo(id, { type: 'object.changed', at: event.at });
      const spawned = event.spawn.map((r) => r.id).filter((id) => !context.background.includes(id));
      if (spawned.length) enqueue.assign({ background: [...context.background, ...spawned] });
    }),
    /** Asks every daemon and timer to stop (deletion: `RESOURCE_DELETED`; `background.stop`: its reason). */
    stopBackground: enqueueActions(({ context, event, enqueue, self }) => {
      const reason: StopReason = event.type === 'background.stop' ? event.reason : 'RESOURCE_DELETED';
      const children = self.getSnapshot().children as Record<string, unknown>;
      for (const id of context.background) if (children[id]) enqueue.sendTo(id, { type: 'stop', reason });
    }),
    forgetBackground: assign({ background: ({ context, event }) => context.background.filter((id) => id !== childIdOf(event.type)) }),
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
    background: [],
    passivateAfter: input.passivateAfter ?? null,
    ...(input.restored ? { knownRv: input.restored.knownRv } : {}),
  }),
  initial: 'idle',
  on: {
    'operator.stop': { target: '.stopped' },
    'background.sync': { actions: 'syncBackground' },
    'background.stop': { actions: 'stopBackground' },
    'xstate.done.actor.*': { actions: 'forgetBackground' },
    'xstate.error.actor.*': { actions: 'forgetBackground' },
  },
  states: {
    idle: {
      entry: 'forgetBody',
      // Idle long enough, with nothing scheduled: reduced to a PassivatedRecord; the next event restores it here.
      after: { passivateDelay: { guard: 'mayPassivate', target: 'passivated' } },
      on: {
        'watch.event': [{ guard: 'isStale' }, { target: 'observing', actions: 'takeEvent' }],
        'actor.passivate': { guard: 'mayPassivate', target: 'passivated' },
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
    deleting: { ...causeState('releasing'), entry: 'stopBackground' },
    /** Deletion handlers are done; the daemons and timers are stopping; the finalizer stays until they exit. */
    awaitingBackground: {
      always: { guard: not('hasBackground'), target: 'releasing', actions: 'takeNewest' },
      on: {
        'xstate.done.actor.*': [{ guard: 'lastBackground', target: 'releasing', actions: ['forgetBackground', 'takeNewest'] }, { actions: 'forgetBackground' }],
        'xstate.error.actor.*': [{ guard: 'lastBackground', target: 'releasing', actions: ['forgetBackground', 'takeNewest'] }, { actions: 'forgetBackground' }],
        'watch.event': [{ guard: 'isStale' }, { actions: 'keepPending' }],
      },
    },
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
    /** Idle for `passivateAfter` seconds (or asked, over the cap on live actors) without daemons or timers: the actor ends, its record stays. */
    passivated: { type: 'final', entry: assign({ reason: 'passivated' as const }) },
  },
  output: ({ context }) =>
    context.reason === 'passivated' && context.knownRv !== null ? { reason: context.reason, passivated: { knownRv: context.knownRv } } : { reason: context.reason },
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
      : ([
          { guard: 'hasBackground', target: 'awaitingBackground', actions: 'recordReleasing' },
          { target: 'releasing', actions: 'recordReleasing' },
        ] as const);
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

/** The child id in `xstate.done.actor.<id>` / `xstate.error.actor.<id>`. */
function childIdOf(type: string): string {
  return type.replace(/^xstate\.(done|error)\.actor\./, '');
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
