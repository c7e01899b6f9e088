/**
 * Creates the actor of one object: machines/object.ts with the engine's implementations provided — the
 * `react` and `release` actors, the guards that need handler knowledge (has our finalizer, never
 * handled, changed since last handled, resume handlers apply), and the daemon/timer children's
 * implementations (src/engine/background.ts). After every watch event it sends the object's daemon/timer
 * plan. Called by the dispatcher on first sight.
 */
import { createActor, fromPromise, toPromise } from 'xstate';
import { objectMachine, type PassivatedRecord, type ReactInput, type ReactOutput, type ReleaseInput, type ReleaseOutput, type ObjectContext } from '../../machines/object.ts';
import { daemonMachine, type StopReason } from '../../machines/daemon.ts';
import { timerMachine } from '../../machines/timer.ts';
import type { Body, RawEvent } from '../model/body.ts';
import { hasFinalizer } from '../model/finalizers.ts';
import { ApiError, ApiForbiddenError } from '../kube/errors.ts';
import { copyMemo } from '../model/memo.ts';
import { objectLogger, type Logger } from '../observe/log.ts';
import { ObjectBackground, daemonImplementations, spawningHandlersOf, timerImplementations } from './background.ts';
import { changeState } from './change-state.ts';
import type { DispatchedActor } from './dispatcher.ts';
import { react } from './reaction.ts';
import { release } from './release.ts';
import { changingHandlersOf, objectServices, type ResourceContext } from './resource-services.ts';
import type { ObjectServices } from './services.ts';
import type { Semaphore } from './semaphore.ts';
import type { EventPoster } from './posting.ts';
import { postingLogger } from './log-events.ts';
import type { TimelineSink } from './timeline.ts';
import type { MetricsRecorder } from '../observe/metrics-recorder.ts';

/** What an object actor needs from the operator. */
export interface ObjectActorOptions {
  resource: ResourceContext;
  rootLogger: Logger;
  operatorMemo: object;
  limiter: Semaphore;
  /** Where log records become Events when `settings.posting.loggers` is on. */
  poster?: EventPoster;
  /** Observes every actor (devtools), if set. */
  inspect?: Parameters<typeof createActor>[1] extends infer O ? (O extends { inspect?: infer I } ? I : never) : never;
  /** Receives the object's timeline (devtools), if set. */
  timeline?: TimelineSink;
  /** Counts the events coalesced while the object is busy (`--metrics`), if set. */
  metrics?: MetricsRecorder | undefined;
}

function bodyOf(context: ObjectContext): Body {
  if (!context.current) throw new Error('no body');
  return context.current.object as Body;
}

interface ObjectEntry {
  services: ObjectServices;
  logger: Logger;
  /** Daemons and timers (only for resources that have them). */
  background: ObjectBackground | null;
  /** The message of the reaction's last failure while it keeps failing (it is logged as an error once). */
  lastFailure?: string | undefined;
}

/**
 * One provided machine per operator (keyed by its limiter), shared by all its objects: the implementations
 * find the object's services by the actor's key. (A machine provided per object costs far more memory.)
 */
const perOperator = new WeakMap<Semaphore, { machine: ReturnType<typeof provideMachine>; objects: Map<string, ObjectEntry> }>();

function provideMachine(limiter: Semaphore, objects: Map<string, ObjectEntry>) {
  const entry = (key: string): ObjectEntry => {
    const found = objects.get(key);
    if (!found) throw new Error(`no services for the object ${key}`);
    return found;
  };
  const services = (context: ObjectContext): ObjectServices => entry(context.key).services;
  const lookup = (key: string): ObjectBackground | undefined => objects.get(key)?.background ?? undefined;
  return objectMachine.provide({
    actors: {
      daemon: daemonMachine.provide(daemonImplementations(lookup)),
      timer: timerMachine.provide(timerImplementations(lookup)),
      react: fromPromise<ReactOutput, ReactInput>(async ({ input, signal }) => {
        const object = entry(input.key);
        const { services: svc, logger } = object;
        const releasePermit = await limiter.acquire(signal);
        try {
          const output = (await react(svc, { body: input.event.object as Body, cause: input.cause, initial: input.initial, signal })) as ReactOutput;
          object.lastFailure = undefined;
          return output;
        } catch (err) {
          // Reported once per object while it keeps failing the same way (retried with the error backoff).
          const message = (err as Error).message;
          if (object.lastFailure === message) logger.debug(`Reaction failed again (retrying with backoff): ${message}`);
          else logFailure(logger, 'Reaction', err);
          object.lastFailure = message;
          svc.timeline?.({ type: 'error', message });
          throw err;
        } finally {
          releasePermit();
        }
      }),
      release: fromPromise<ReleaseOutput, ReleaseInput>(async ({ input, signal }) => {
        const { services: svc, logger } = entry(input.key);
        try {
          const result = await release(svc, { body: input.event.object as Body, signal });
          return result.gone ? { gone: true } : result.body ? { body: result.body as ReleaseOutput['body'] } : {};
        } catch (err) {
          logFailure(logger, 'Releasing the finalizer', err);
          throw err;
        }
      }),
    },
    guards: {
      hasFinalizer: ({ context }) => hasFinalizer(bodyOf(context), services(context).settings.persistence.finalizer),
      isNew: ({ context }) => changeState(services(context), bodyOf(context)).old === null,
      hasChanges: ({ context }) => changeState(services(context), bodyOf(context)).diff.length > 0,
      hasResumeHandlers: ({ context }) => services(context).hasResumeHandlers(bodyOf(context), Boolean(bodyOf(context).metadata.deletionTimestamp)),
    },
  });
}

/**
 * Logs a failed reaction or release (the machine then waits in `throttled` and classifies the object again). A
 * Forbidden says which permission is missing (the API server's message names the verb and resource) and how
 * to grant it, without a stack trace: it is the operator's RBAC, not a bug.
 */
function logFailure(logger: Logger, what: string, err: unknown): void {
  if (err instanceof ApiError && err.status === 422 && /metadata\.annotations: Too long/.test(err.message)) {
    logger.error(
      `${what} is rejected by the API server: the annotations would exceed their size limit (256 KiB in all), most likely because of the diff-base of a large object; ` +
        `store it in status instead (settings.persistence.diffbaseStorage = new kopf.StatusDiffBaseStorage(), docs/reliability.md). Retrying with backoff; the handlers that succeeded do not run again: ${err.message}`,
    );
  } else if (err instanceof ApiForbiddenError) {
    logger.error(`${what} is forbidden by the API server (the operator's RBAC lacks a permission; \`kopf-ts rbac\` prints what it needs); will retry: ${err.message}`);
  } else {
    logger.error({ err }, `${what} failed with an API or framework error; will retry: ${(err as Error).message}`);
  }
}

/**
 * Creates and starts the actor of the object first seen in `event`, or restores a passivated one from its
 * record (`restored`: it starts idle, knowing the record's resourceVersion).
 */
export function createObjectActor(key: string, event: RawEvent, options: ObjectActorOptions, restored?: PassivatedRecord): DispatchedActor {
  const meta = event.object.metadata;
  const plainLogger = objectLogger(options.rootLogger, { namespace: meta.namespace, name: meta.name, uid: meta.uid, kind: event.object.kind });
  const logger = options.poster && options.resource.settings.posting.loggers ? postingLogger(plainLogger, event.object as Body, options.poster, options.resource.settings) : plainLogger;
  const memo = copyMemo(options.operatorMemo);
  const background = spawningHandlersOf(options.resource).length > 0 ? new ObjectBackground(options.resource, logger, memo, event.object as Body) : null;
  if (background) background.key = key;
  const services = objectServices(options.resource, logger, memo, background ?? undefined);
  const sink = options.timeline;
  if (sink) services.timeline = (entry) => sink(key, entry);
  if (sink && background) background.timeline = (entry) => sink(key, entry);
  const settings = options.resource.settings;
  let shared = perOperator.get(options.limiter);
  if (!shared) {
    const objects = new Map<string, ObjectEntry>();
    shared = { machine: provideMachine(options.limiter, objects), objects };
    perOperator.set(options.limiter, shared);
  }
  shared.objects.set(key, { services, logger, background });
  const objects = shared.objects;

  const actor = createActor(shared.machine, {
    input: { key, errorDelays: settings.queueing.errorDelays, passivateAfter: settings.execution.passivateAfter, ...(restored ? { restored } : {}) },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  if (process.env.KOPF_TS_TRACE_ACTORS) {
    actor.subscribe((snap) => logger.debug(`actor state ${JSON.stringify(snap.value)} rv=${snap.context.knownRv} current=${snap.context.current?.type}/${snap.context.current?.object.metadata.resourceVersion} pending=${snap.context.pending?.object.metadata.resourceVersion}`));
  }
  // One subscription for both ends (each observer costs memory on every idle object).
  const done = toPromise(actor).then(
    (output) => {
      if (output.reason === 'deleted') logger.debug('Deleted, really deleted, and we are notified.');
      else if (output.reason === 'passivated') logger.debug(`Passivated after ${settings.execution.passivateAfter} s idle (restored by the next event).`);
      return output;
    },
    (err: unknown) => {
      logger.error({ err }, `The object's actor failed: ${String(err)}`);
      return undefined;
    },
  ).finally(() => {
    if (objects.get(key)?.services === services) objects.delete(key);
  });
  actor.start();
  const busy = (): boolean => {
    const snap = actor.getSnapshot();
    return snap.status === 'active' && ['creating', 'updating', 'resuming', 'deleting', 'releasing'].some((state) => snap.matches(state as 'creating'));
  };
  const hasChangeHandlers = (): boolean => changingHandlersOf(options.resource).length > 0;
  const send: DispatchedActor['send'] = (e) => {
    // Deleted without our finalizer (e.g. removed by hand): the daemons learn why before they are stopped.
    if (background && e.type === 'watch.event' && e.event.type === 'DELETED') actor.send({ type: 'background.stop', reason: 'RESOURCE_DELETED' });
    actor.send(e);
    // Held as pending while a reaction runs: merged into the next one (only the newest is handled).
    if (options.metrics && e.type === 'watch.event' && actor.getSnapshot().context.pending === e.event) options.metrics.eventCoalesced(options.resource.resource.plural);
    if (!background || e.type !== 'watch.event' || e.event.type === 'DELETED') return;
    const snap = actor.getSnapshot();
    if (snap.status !== 'active') return;
    const body = e.event.object as Body;
    background.update(body);
    try {
      // Kopf's idle clock: an event "changes" the object when its essence differs from the diff-base, or
      // always when the resource has no change handlers (no diff-base is ever stored then).
      const changed = !hasChangeHandlers() || changeState(services, body).diff.length > 0;
      actor.send(background.plan(body, snap.context.background, changed, Date.now()));
    } catch (err) {
      logger.error({ err }, `Cannot plan the daemons and timers: ${(err as Error).message}`);
    }
  };
  return {
    namespace: meta.namespace,
    send,
    done,
    busy,
    stopBackground: (reason: StopReason) => actor.send({ type: 'background.stop', reason }),
    hasBackground: () => actor.getSnapshot().status === 'active' && actor.getSnapshot().context.background.length > 0,
    latest: () => {
      const { pending, current } = actor.getSnapshot().context;
      // Idle actors forget their body; daemons and timers keep the live one (they must be respawned from it).
      const found = pending ?? current ?? (background ? { type: 'MODIFIED' as const, object: { ...background.body } } : undefined);
      return found as RawEvent | undefined;
    },
    state: () => String(actor.getSnapshot().value),
    passivate: () => {
      actor.send({ type: 'actor.passivate' });
      return actor.getSnapshot().status === 'done';
    },
    passivated: () => {
      const snap = actor.getSnapshot();
      return snap.status === 'done' ? (snap.output?.passivated ?? null) : null;
    },
  };
}
