/**
 * Daemons and timers of one object, the engine's side: which of them should run for the newest body
 * (filters, deletion, "forever stopped" ones), the `stopped` flags and cancellation signals, the live body
 * they read, and the implementations machines/daemon.ts and machines/timer.ts need (`run`: one invocation
 * with its results and patch written; `signal`, `cancel`, `abandon`). Created per object by
 * src/engine/object-actor.ts, which sends the plan to the object actor after every watch event.
 */
import { fromPromise } from 'xstate';
import type { BackgroundSync, SpawnRequest } from '../../machines/object.ts';
import type { DaemonContext, DaemonRunOutput, RunInput, StopReason } from '../../machines/daemon.ts';
import type { TimerContext, TimerRunOutput } from '../../machines/timer.ts';
import { isNewer } from '../../machines/resource-version.ts';
import type { Body } from '../model/body.ts';
import { newPatch } from '../model/patch.ts';
import { deliverResultIfChanged, resultToJson } from '../model/results.ts';
import type { DaemonHandler, TimerHandler } from '../handlers/handler.ts';
import { matchFilters } from '../handlers/filters.ts';
import { attempt } from '../execution/attempt.ts';
import { kindWord } from '../execution/outcome.ts';
import { invoke, placementOf } from '../execution/invoke.ts';
import { SharedStopFlag } from '../execution/stop-flag.ts';
import type { Logger } from '../observe/log.ts';
import { outcomeOf } from '../observe/metrics-recorder.ts';
import { invocationKwargs, resourceKwargs } from './kwargs.ts';
import type { ResourceContext } from './resource-services.ts';
import { invocationData } from '../execution/handler-context.ts';
import { writeMergePatch } from './writer.ts';
import type { TimelineEntry } from './timeline.ts';

/** A daemon or a timer. */
export type SpawningHandler = DaemonHandler | TimerHandler;

/** The daemons and timers that serve this resource. */
export function spawningHandlersOf(ctx: ResourceContext): SpawningHandler[] {
  return ctx.registry.spawningHandlers(ctx.resource).filter((h) => ctx.selectors.has(h.selector));
}

/** The child actor id of a daemon or timer (`daemon:<handler id>`, `timer:<handler id>`). */
export function childIdOf(handler: SpawningHandler): string {
  return `${handler.kind}:${handler.id}`;
}

/** Per running child: its flag, its cancellation, its retry state. */
interface Slot {
  flag: SharedStopFlag;
  cancel: AbortController;
  retries: number;
  started: number;
}

/** The engine's state of one object's daemons and timers. */
export class ObjectBackground {
  /** The newest body, one object replaced in place, so async daemons see every change (Kopf's live body). */
  readonly body: Body;
  readonly #slots = new Map<string, Slot>();
  /** Returned, failed for good, or ran once: not spawned again until the operator restarts. */
  readonly foreverStopped = new Set<string>();
  readonly ctx: ResourceContext;
  readonly logger: Logger;
  readonly memo: object;
  /** Where runs and their writes are reported (devtools); unset when nobody observes. */
  timeline?: (entry: TimelineEntry) => void;

  constructor(ctx: ResourceContext, logger: Logger, memo: object, body: Body) {
    this.ctx = ctx;
    this.logger = logger;
    this.memo = memo;
    this.body = { ...body };
  }

  /** Takes a newer body into the live view (older ones and our own echoes change nothing). */
  update(body: Body): void {
    if (!isNewer(body.metadata?.resourceVersion, this.body.metadata?.resourceVersion)) return;
    const live = this.body as unknown as Record<string, unknown>;
    for (const key of Object.keys(live)) if (!(key in body)) delete live[key];
    Object.assign(live, body);
  }

  /** The handler of a child, if it is still served. */
  handler(childId: string): SpawningHandler | undefined {
    return spawningHandlersOf(this.ctx).find((h) => childIdOf(h) === childId);
  }

  slot(childId: string): Slot | undefined {
    return this.#slots.get(childId);
  }

  /** Whether a matching daemon or timer needs the finalizer (any that is not forever stopped). */
  requiresFinalizer(body: Body): boolean {
    return spawningHandlersOf(this.ctx).some(
      (h) => !this.foreverStopped.has(childIdOf(h)) && this.#matches(h, body),
    );
  }

  /**
   * The plan for the newest body: spawn the matching ones not running (not while deleting, not forever
   * stopped), stop the running ones that no longer match. `running` are the object actor's children.
   */
  plan(body: Body, running: readonly string[], changed: boolean, now: number): BackgroundSync {
    const deleting = Boolean(body.metadata?.deletionTimestamp);
    const spawn: SpawnRequest[] = [];
    const stop: BackgroundSync['stop'] = [];
    for (const handler of spawningHandlersOf(this.ctx)) {
      const id = childIdOf(handler);
      const matches = !deleting && this.#matches(handler, body);
      if (running.includes(id)) {
        if (!matches) stop.push({ id, reason: deleting ? 'RESOURCE_DELETED' : 'FILTERS_MISMATCH' });
        continue;
      }
      if (!matches || this.foreverStopped.has(id)) continue;
      const request = this.#spawnRequest(handler, id, now);
      if (request) spawn.push(request);
    }
    return { type: 'background.sync', spawn, stop, changed, at: now };
  }

  #matches(handler: SpawningHandler, body: Body): boolean {
    try {
      return matchFilters(handler.filters, handler.field, { body, kwargs: () => this.#kwargs(body) });
    } catch (err) {
      this.logger.error(
        `The filters of ${nameOf(childIdOf(handler))} failed; it is treated as not matching: ${(err as Error).message}`,
      );
      return false;
    }
  }

  #spawnRequest(handler: SpawningHandler, id: string, now: number): SpawnRequest | null {
    let initialDelay: number | null;
    try {
      const given = handler.initialDelay;
      initialDelay = typeof given === 'function' ? Number(given(this.#kwargs(this.body))) : given;
      if (initialDelay !== null && !(initialDelay >= 0))
        throw new TypeError(`initialDelay gave ${String(initialDelay)}, not a number of seconds`);
    } catch (err) {
      this.logger.error(`${nameOf(childIdOf(handler))} cannot start: ${(err as Error).message}`);
      return null;
    }
    this.#slots.set(id, {
      flag: new SharedStopFlag(),
      cancel: new AbortController(),
      retries: 0,
      started: now,
    });
    const exitTimeout = this.ctx.settings.queueing.exitTimeout;
    const key = this.key;
    if (handler.kind === 'daemon') {
      return {
        id,
        kind: 'daemon',
        input: {
          key,
          handlerId: id,
          initialDelay,
          cancellationBackoff: handler.cancellationBackoff,
          cancellationTimeout: handler.cancellationTimeout,
          exitTimeout,
        },
      };
    }
    return {
      id,
      kind: 'timer',
      input: {
        key,
        handlerId: id,
        initialDelay,
        interval: handler.interval,
        idle: handler.idle,
        sharp: handler.sharp,
        exitTimeout,
        now,
      },
    };
  }

  /** The object actor's key (set by object-actor.ts). */
  key = '';

  /** Kwargs for filters and runs: the live body, Kopf's names, plus `stopped` and `signal` for runs. */
  #kwargs(body: Body, patch = newPatch()): Record<string, unknown> {
    return resourceKwargs({
      body,
      resource: this.ctx.resource,
      patch,
      logger: this.logger,
      memo: this.memo,
      indexes: this.ctx.indexing?.kwargs,
    });
  }

  /** One invocation of a daemon or timer: the attempt, then its result and patch written. */
  async runOnce(childId: string, signal: AbortSignal): Promise<{ final: boolean; delay: number | null }> {
    const handler = this.handler(childId);
    const slot = this.#slots.get(childId);
    if (!handler || !slot) throw new Error(`${childId} is not served any more`);
    const now = Date.now();
    const patch = newPatch();
    // The child was stopped from outside (the object is gone, the operator stopped): let the daemon know.
    const onAbort = (): void => {
      slot.flag.set('DONE');
      slot.cancel.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const kwargs: Record<string, unknown> = {
      ...this.#kwargs(this.body, patch),
      ...invocationKwargs(handler.param, slot.retries, slot.started, now),
      stopped: slot.flag,
      signal: slot.cancel.signal,
    };
    liveViews(kwargs, this.body);
    try {
      // A cancelled daemon usually throws its signal's reason: that is its way out, not a failure to retry.
      const cancelled = (): boolean => slot.cancel.signal.aborted;
      const quiet = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
        if (!cancelled()) this.logger[level](message);
      };
      this.timeline?.({
        type: 'handler.start',
        handler: handler.id,
        cause: handler.kind,
        retry: slot.retries,
      });
      const result = await attempt({
        handler,
        retries: slot.retries,
        runtime: (now - slot.started) / 1000,
        defaultBackoff: this.ctx.settings.execution.defaultBackoff,
        logger: { debug: quiet('debug'), info: quiet('info'), warn: quiet('warn'), error: quiet('error') },
        invoke: async () => {
          const invocation = {
            kind: handler.kind,
            handlerId: handler.id,
            body: this.body,
            declared: [],
            executed: false,
            execute: async () => undefined,
          };
          const context = invocationData(invocation, this.ctx.postEvent);
          const value = await invoke({
            handler,
            kwargs,
            pool: this.ctx.pool,
            signal,
            stopFlag: slot.flag,
            timeoutMs: null,
            context,
          });
          // A result that cannot be stored (BigInt, a cycle) is this run's failure, retried per its errors mode.
          resultToJson(value, `the handler '${handler.id}'`);
          return value;
        },
      });
      this.ctx.metrics?.handlerRun(handler.id, handler.kind, outcomeOf(result), (Date.now() - now) / 1000);
      this.timeline?.({
        type: 'handler.end',
        handler: handler.id,
        cause: handler.kind,
        outcome: !result.final ? 'retry' : result.error ? 'failure' : 'success',
        delay: result.final ? null : (result.delay ?? this.ctx.settings.execution.defaultBackoff),
        ...(result.error ? { error: result.error } : {}),
        ms: Date.now() - now,
      });
      if (cancelled()) {
        this.logger.warn(`${nameOf(childIdOf(handler))} is cancelled.`);
        return { final: true, delay: null };
      }
      if (result.final && !result.error && result.result !== undefined) {
        deliverResultIfChanged(patch, this.body, handler.id, result.result, {
          rewriteUnchanged: this.ctx.settings.persistence.rewriteUnchangedResults,
        });
      }
      if (!signal.aborted) await this.#write(handler, patch);
      if (result.final) {
        slot.retries = 0;
        slot.started = Date.now();
      } else slot.retries++;
      return {
        final: result.final,
        delay: result.final ? null : (result.delay ?? this.ctx.settings.execution.defaultBackoff),
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #write(handler: SpawningHandler, patch: ReturnType<typeof newPatch>): Promise<void> {
    try {
      const written = await writeMergePatch(this.ctx.client, this.ctx.resource, this.body, patch);
      if (written.requests > 0) this.timeline?.({ type: 'patch', what: handler.kind, patch });
      if (!written.gone) this.update(written.body);
    } catch (err) {
      this.logger.error(
        `Writing the patch of ${nameOf(childIdOf(handler))} failed: ${(err as Error).message}`,
      );
    }
  }

  /** Whether a child runs on the worker pool (then abandoning it terminates its thread). */
  onPool(childId: string): boolean {
    const handler = this.handler(childId);
    return handler ? placementOf(handler, this.ctx.pool.moduleUrls) === 'pool' : false;
  }
}

/** Makes `spec`, `meta`, `status`, `labels` and `annotations` read the live body (as Kopf's views do). */
function liveViews(kwargs: Record<string, unknown>, body: Body): void {
  const views: Record<string, () => unknown> = {
    spec: () => body.spec ?? {},
    meta: () => body.metadata ?? {},
    status: () => body.status ?? {},
    labels: () => body.metadata?.labels ?? {},
    annotations: () => body.metadata?.annotations ?? {},
  };
  for (const [name, get] of Object.entries(views))
    Object.defineProperty(kwargs, name, { get, enumerable: true, configurable: true });
}

/** `Daemon 'id'` or `Timer 'id'` of a child id, as Kopf's log lines name them. */
function nameOf(childId: string): string {
  const colon = childId.indexOf(':');
  return `${kindWord(childId.slice(0, colon))} '${childId.slice(colon + 1)}'`;
}

/** Finds an object's background state by the actor key. */
export type BackgroundLookup = (key: string) => ObjectBackground | undefined;

/** The daemon machine's implementations. */
export function daemonImplementations(lookup: BackgroundLookup) {
  const of = (context: DaemonContext): { bg: ObjectBackground; slot: Slot | undefined; name: string } => {
    const bg = lookup(context.key);
    if (!bg) throw new Error(`no object for ${context.key}`);
    return { bg, slot: bg.slot(context.handlerId), name: nameOf(context.handlerId) };
  };
  return {
    actors: {
      run: fromPromise<DaemonRunOutput, RunInput>(async ({ input, signal }) => {
        const bg = lookup(input.key);
        if (!bg) throw new Error(`no object for ${input.key}`);
        const outcome = await bg.runOnce(input.handlerId, signal);
        if (!outcome.final) return { outcome: 'retry', delay: outcome.delay ?? 0 };
        const name = nameOf(input.handlerId);
        if (bg.slot(input.handlerId)?.flag.isSet())
          bg.logger.debug(`${name} has exited on request and will not be retried or restarted.`);
        else {
          bg.foreverStopped.add(input.handlerId);
          bg.logger.debug(`${name} has exited on its own and will not be retried or restarted.`);
        }
        return { outcome: 'finished' };
      }),
    },
    actions: {
      signal: ({ context }: { context: DaemonContext }) => {
        const { bg, slot, name } = of(context);
        slot?.flag.set(context.stopReason ?? 'DONE');
        bg.logger.debug(`${name} is signalled to exit gracefully.`);
      },
      cancel: ({ context }: { context: DaemonContext }) => {
        const { bg, slot, name } = of(context);
        slot?.flag.set('DAEMON_CANCELLED');
        slot?.cancel.abort(new Error(`${name} is cancelled`));
        bg.logger.debug(`${name} is signalled to exit by force.`);
      },
      abandon: ({ context }: { context: DaemonContext }) => abandon(of(context), context.handlerId),
    },
  };
}

/** The timer machine's implementations. */
export function timerImplementations(lookup: BackgroundLookup) {
  return {
    actors: {
      run: fromPromise<TimerRunOutput, RunInput>(async ({ input, signal }) => {
        const bg = lookup(input.key);
        if (!bg) throw new Error(`no object for ${input.key}`);
        const startedAt = Date.now();
        const outcome = await bg.runOnce(input.handlerId, signal);
        const handler = bg.handler(input.handlerId);
        if (handler?.kind === 'timer' && handler.interval === null && handler.idle === null && outcome.final)
          bg.foreverStopped.add(input.handlerId);
        const endedAt = Date.now();
        return outcome.final ? { startedAt, endedAt } : { delay: outcome.delay ?? 0, startedAt, endedAt };
      }),
    },
    actions: {
      signal: ({ context }: { context: TimerContext }) => {
        const bg = lookup(context.key);
        bg?.slot(context.handlerId)?.flag.set(context.stopReason ?? 'DONE');
        bg?.logger.debug(`${nameOf(context.handlerId)} is signalled to exit gracefully.`);
      },
      abandon: ({ context }: { context: TimerContext }) => {
        const bg = lookup(context.key);
        if (bg)
          abandon(
            { bg, slot: bg.slot(context.handlerId), name: nameOf(context.handlerId) },
            context.handlerId,
          );
      },
    },
  };
}

function abandon(
  found: { bg: ObjectBackground; slot: Slot | undefined; name: string },
  childId: string,
): void {
  const { bg, slot, name } = found;
  slot?.flag.set('DAEMON_ABANDONED');
  if (bg.onPool(childId)) bg.logger.warn(`${name} did not exit in time. Its worker thread is terminated.`);
  else bg.logger.warn(`${name} did not exit in time. Leaving it orphaned.`);
}

export type { StopReason };
