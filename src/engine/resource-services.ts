/**
 * The services of one resource's objects (see services.ts): handler selection from the registry, the
 * kwargs, and running change handlers (with their sub-handlers) through src/execution. Built per resource by
 * src/engine/operator.ts; specialised per object (logger, memo) by src/engine/object-actor.ts.
 */
import type { EventQueues } from './event-queues.ts';
import type { Body } from '../model/body.ts';
import { reduceDiff } from '../model/diff.ts';
import type { FieldPath } from '../model/dicts.ts';
import type { Resource } from '../model/resource.ts';
import type { OperatorSettings } from '../model/settings.ts';
import { startedAt } from '../model/progress.ts';
import { resultToJson } from '../model/results.ts';
import { storagesOf } from '../model/storages.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ChangingHandler, EventHandler } from '../handlers/handler.ts';
import type { Selector } from '../handlers/selector.ts';
import type { Registry } from '../handlers/registry.ts';
import {
  anyPrematches,
  hasResumeHandlers,
  requiresFinalizer,
  selectChangingHandlers,
} from '../handlers/causes.ts';
import { attempt } from '../execution/attempt.ts';
import { invoke } from '../execution/invoke.ts';
import type { WorkerPool } from '../execution/pool.ts';
import type { Logger } from '../observe/log.ts';
import { outcomeOf, type MetricsRecorder } from '../observe/metrics-recorder.ts';
import type { OperatorIndexes } from '../indexing/indexes.ts';
import type { ChangeState } from './change-state.ts';
import { changeState } from './change-state.ts';
import { sensitiveFieldsOf } from './sensitive.ts';
import { changeKwargs, invocationKwargs, type KwargsBase } from './kwargs.ts';
import type {
  ChangingCause,
  ChangingHandlerRef,
  ChangingRun,
  HandlerAttempt,
  ObjectServices,
} from './services.ts';
import {
  invocationData,
  type DeclaredSubhandler,
  type HandlerInvocation,
} from '../execution/handler-context.ts';
import {
  attemptOutcome,
  childHandler,
  runSubhandlers,
  SUBHANDLING,
  type SubhandlingSettings,
} from '../execution/subhandling.ts';
import type { EventSink } from './posting.ts';

/** What is shared by all objects of a resource. */
export interface ResourceContext {
  resource: Resource;
  settings: OperatorSettings;
  client: KubeClient;
  registry: Registry;
  /** The operator's worker pool (its own files and registry): plain handlers run there. */
  pool: WorkerPool;
  /** The operator's Event queue: what `kopf.event/info/warn/exception` in this operator's handlers post to. */
  postEvent: EventSink;
  /** The selectors that resolved to this resource (an ambiguous selector resolves to none). */
  selectors: Set<Selector>;
  /** The operator's indexes (absent when it has no index handlers). */
  indexing?: OperatorIndexes | undefined;
  /**
   * Server-side sharding: the `shardSelector` for LIST and WATCH (undefined: everything; null: nothing to watch).
   * Read at every (re)start of a watch; the operator restarts the watches when it changes.
   */
  shardSelector?: (() => string | null | undefined) | undefined;
  /** The operator's metrics (`--metrics`; absent without). */
  metrics?: MetricsRecorder | undefined;
  /** The operator's per-object queues of `on.event` handler runs (absent: run at once, unordered). */
  eventQueues?: EventQueues | undefined;
}

/** The change handlers that serve this resource. */
export function changingHandlersOf(ctx: ResourceContext): ChangingHandler[] {
  return ctx.registry.changingHandlers(ctx.resource).filter((h) => ctx.selectors.has(h.selector));
}

/** The event handlers that serve this resource. */
export function eventHandlersOf(ctx: ResourceContext): EventHandler[] {
  return ctx.registry.eventHandlers(ctx.resource).filter((h) => ctx.selectors.has(h.selector));
}

/** Builds the services of one object of the resource; `background` adds its daemons' and timers' finalizer needs. */
export function objectServices(
  ctx: ResourceContext,
  logger: Logger,
  memo: object,
  background?: { requiresFinalizer(body: Body): boolean },
): ObjectServices {
  return new PerObjectServices(ctx, logger, memo, background);
}

/**
 * The services of one object. A class, so that its methods live once on the prototype: an idle object then
 * costs a few fields instead of a set of closures (about 2 KB less per watched object).
 */
class PerObjectServices implements ObjectServices {
  readonly resource: ResourceContext['resource'];
  readonly settings: OperatorSettings;
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly extraFields: string[];
  readonly sensitiveFields: readonly FieldPath[];
  timeline?: ObjectServices['timeline'];
  readonly #ctx: ResourceContext;
  readonly #memo: object;
  readonly #background: { requiresFinalizer(body: Body): boolean } | undefined;

  constructor(
    ctx: ResourceContext,
    logger: Logger,
    memo: object,
    background?: { requiresFinalizer(body: Body): boolean },
  ) {
    this.#ctx = ctx;
    this.#memo = memo;
    this.#background = background;
    this.resource = ctx.resource;
    this.settings = ctx.settings;
    this.client = ctx.client;
    this.logger = logger;
    this.sensitiveFields = sensitiveFieldsOf(ctx.settings, ctx.resource);
    this.extraFields = [
      ...new Set(
        this.#handlers()
          .filter((h) => h.field)
          .map((h) => h.field!.join('.')),
      ),
    ];
  }

  #handlers(): ChangingHandler[] {
    return changingHandlersOf(this.#ctx);
  }

  #filterKwargs(body: Body, cause: ChangingCause, state: ChangeState): Record<string, unknown> {
    const base: KwargsBase = {
      body,
      resource: this.resource,
      patch: { metadata: { labels: {}, annotations: {} }, spec: {}, status: {} } as never,
      logger: this.logger,
      memo: this.#memo,
      indexes: this.#ctx.indexing?.kwargs,
    };
    return changeKwargs(base, { reason: cause, diff: state.diff, old: state.old, new: state.new });
  }

  #subject(body: Body, cause: ChangingCause) {
    const state = changeState(this, body);
    return { body, old: state.old, new: state.new, kwargs: () => this.#filterKwargs(body, cause, state) };
  }

  now(): number {
    return Date.now();
  }

  selectChanging(cause: ChangingCause, body: Body, state: ChangeState, initial: boolean): ChangingHandler[] {
    return selectChangingHandlers(this.#handlers(), cause, {
      body,
      old: state.old,
      new: state.new,
      initial,
      kwargs: () => this.#filterKwargs(body, cause, state),
    });
  }

  anyChangingPrematches(body: Body): boolean {
    return anyPrematches(this.#handlers(), this.#subject(body, 'update'));
  }

  requiresFinalizer(body: Body): boolean {
    if (this.#background?.requiresFinalizer(body)) return true;
    return requiresFinalizer(this.#handlers(), this.#subject(body, 'update'));
  }

  hasResumeHandlers(body: Body): boolean {
    return hasResumeHandlers(this.#handlers(), this.#subject(body, 'resume'));
  }

  changingHandlerIds(): string[] {
    return this.#handlers().map((h) => h.id);
  }

  runChanging(handler: ChangingHandlerRef, run: ChangingRun): Promise<HandlerAttempt> {
    return runChanging(this.#ctx, this, this.#memo, handler as ChangingHandler, run);
  }
}

async function runChanging(
  ctx: ResourceContext,
  services: ObjectServices,
  memo: object,
  handler: ChangingHandler,
  run: ChangingRun,
): Promise<HandlerAttempt> {
  const now = services.now();
  const started = startedAt(run.record, now);
  const base: KwargsBase = {
    body: run.body,
    resource: ctx.resource,
    patch: run.patch,
    logger: services.logger,
    memo,
    indexes: ctx.indexing?.kwargs,
  };
  const kwargs = {
    ...changeKwargs(base, { reason: run.cause, diff: run.diff, old: run.old, new: run.new }),
    ...invocationKwargs(handler.param, run.record.retries ?? 0, started, now),
  };
  const subrefs = new Set<string>();
  const retry = run.record.retries ?? 0;
  services.timeline?.({ type: 'handler.start', handler: handler.id, cause: run.cause, retry });
  const result = await attempt({
    handler,
    retries: run.record.retries ?? 0,
    runtime: (now - started) / 1000,
    defaultBackoff: ctx.settings.execution.defaultBackoff,
    logger: services.logger,
    invoke: async () => {
      const context: HandlerInvocation = {
        kind: 'changing',
        handlerId: handler.id,
        body: run.body,
        declared: [],
        executed: false,
        execute: async () => {
          context.executed = true;
          await executeSubhandlers(ctx, services, memo, handler, context.declared, run, subrefs);
        },
      };
      // A handler on the pool still running when its `timeout` runs out is stopped (its thread terminated);
      // the attempt fails and the next one fails for good with HandlerTimeoutError.
      const timeoutMs =
        handler.timeout !== null ? Math.max(0, handler.timeout * 1000 - (now - started)) : null;
      const data = {
        ...invocationData(context, ctx.postEvent),
        [SUBHANDLING]: subhandlingSettings(ctx.settings),
      };
      try {
        const value = await invoke({
          handler,
          kwargs,
          pool: ctx.pool,
          signal: run.signal,
          timeoutMs,
          context: data,
        });
        if (!context.executed && context.declared.length > 0) await context.execute();
        // A result that cannot be stored (BigInt, a cycle) is this handler's failure, never its siblings'.
        resultToJson(value, `the handler '${handler.id}'`);
        return value;
      } finally {
        // A plain parent on the pool ran its sub-handlers in the worker: their ids come back with the reply.
        for (const ref of context.remoteSubrefs ?? []) subrefs.add(ref);
      }
    },
  });
  ctx.metrics?.handlerRun(handler.id, run.cause, outcomeOf(result), (services.now() - now) / 1000);
  services.timeline?.({
    type: 'handler.end',
    handler: handler.id,
    cause: run.cause,
    outcome: !result.final ? 'retry' : result.error ? 'failure' : 'success',
    delay: result.delay ?? null,
    ...(result.error ? { error: result.error } : {}),
    ms: services.now() - now,
  });
  return attemptOutcome(result, subrefs);
}

/** What sub-handlers need of the settings (also sent to a pool worker running a plain parent's children). */
function subhandlingSettings(settings: OperatorSettings): SubhandlingSettings {
  return {
    prefix: settings.persistence.prefix,
    v1Keys: settings.persistence.v1Keys,
    rewriteUnchangedResults: settings.persistence.rewriteUnchangedResults,
    defaultBackoff: settings.execution.defaultBackoff,
    customProgressStorage: settings.persistence.progressStorage != null,
  };
}

/** Runs the awakened sub-handlers of a parent in the event loop, each as a change handler of its own. */
async function executeSubhandlers(
  ctx: ResourceContext,
  services: ObjectServices,
  memo: object,
  parent: ChangingHandler,
  declared: DeclaredSubhandler[],
  run: ChangingRun,
  subrefs: Set<string>,
): Promise<void> {
  await runSubhandlers({
    parentId: parent.id,
    declared,
    body: run.body,
    cause: run.cause,
    patch: run.patch,
    settings: subhandlingSettings(ctx.settings),
    progress: storagesOf(ctx.settings).progress,
    now: () => services.now(),
    subrefs,
    runChild: async ({ id, declared: sub, record }) => {
      const child: ChangingHandler = { ...parent, ...childHandler(id, sub) };
      return await runChanging(ctx, services, memo, child, {
        ...run,
        record,
        diff: parent.field ? reduceDiff(run.diff, parent.field) : run.diff,
      });
    },
  });
}
