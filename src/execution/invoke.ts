/**
 * Invoking one handler once and classifying the outcome. An `async function` runs in the event loop; a
 * plain (sync) function runs on the operator's worker pool (given by the caller) unless `offload: false` (or
 * there is no pool, or it knows no operator files, e.g. a handler registered from code at run time), then inline. While handler code runs in this thread, the
 * per-invocation context (`invocationContext`, an AsyncLocalStorage) tells the framework's helpers
 * (`kopf.subhandler/register/execute`, `kopf.info/warn/…`) which handler, kwargs and patch are current.
 * Called by src/engine.
 */
import type { ErrorsMode } from '../model/errors.ts';
import {
  cancelledLine,
  checkBeforeAttempt,
  classifyFailure,
  classifySuccess,
  invokedLine,
  type LogLine,
  type Outcome,
} from './outcome.ts';
import type { PoolReply, WorkerPool } from './pool.ts';
import type { LogRecord } from './envelope.ts';
import type { SharedStopFlag } from './stop-flag.ts';
import { eventSinkOf, invocationContext, invocationOf, type InvocationContext } from './handler-context.ts';
import { SUBHANDLING, type SubhandlingSettings } from './subhandling.ts';

/**
 * What invoking needs of a handler. It maps one-to-one onto the records of src/handlers/handler.ts
 * (`BaseHandler`: `kind, id, fn, isAsync, offload, errors, timeout, retries, backoff`).
 */
export interface InvocableHandler {
  id: string;
  /** `changing`, `event`, `daemon`, `timer`, `activity`, `webhook`, `index`: defaults and log words. */
  kind?: string | undefined;
  fn: (kwargs: any) => unknown;
  /** An `async function`: always runs in the event loop. */
  isAsync: boolean;
  /** For sync functions: `false` runs them inline. Default: on the pool. */
  offload?: boolean | undefined;
  errors?: ErrorsMode | null | undefined;
  timeout?: number | null | undefined;
  retries?: number | null | undefined;
  backoff?: number | null | undefined;
}

/** The one invocation context (the same in a pool worker, where worker.ts fills it). */
export { invocationContext, type InvocationContext } from './handler-context.ts';

/** Options of {@link invokeHandler} and {@link callHandler}. */
export interface InvokeOptions {
  handler: InvocableHandler;
  /** One object with Kopf's kwarg names. `logger` gets the worker's log records; `patch` gets its changes. */
  kwargs: Record<string, unknown>;
  /** Attempts made so far (default: `kwargs.retry`, else 0). */
  retries?: number | undefined;
  /** Seconds since the first attempt (default: `kwargs.runtime`, else 0). */
  runtime?: number | undefined;
  /** `settings.execution.defaultBackoff` (default 60). */
  defaultBackoff?: number | undefined;
  /** The errors mode when the handler has none (default: by kind, Kopf §1.3). */
  defaultErrors?: ErrorsMode | undefined;
  /** The operator's pool (its threads know the operator's files and registry); none: sync handlers run inline. */
  pool?: WorkerPool | null | undefined;
  /** Cancels the attempt (see {@link HandlerCancelledError}). */
  signal?: AbortSignal | undefined;
  /** Pool only: a hard limit in ms, after which the worker thread is terminated and the attempt fails. */
  timeoutMs?: number | null | undefined;
  /** The `stopped` flag of a daemon/timer: shared with the worker when the handler runs on the pool. */
  stopFlag?: SharedStopFlag | undefined;
  /** Extra data for {@link invocationContext}. */
  context?: Record<string, unknown> | undefined;
  subrefs?: string[] | undefined;
}

/** The classified attempt and the lines to log (after the worker's records, already replayed). */
export interface Invocation {
  outcome: Outcome;
  lines: LogLine[];
  /** Where the handler ran. `null` when the strict checks stopped it before a call. */
  placement: 'inline' | 'pool' | null;
}

/** The attempt was cancelled by the caller's signal: not an outcome (as Kopf, which escalates it). */
export class HandlerCancelledError extends Error {
  override name = 'HandlerCancelledError';
  /** The warning line to log ("… is cancelled. Will escalate."). */
  readonly lines: LogLine[];
  constructor(message: string, lines: LogLine[], cause: unknown) {
    super(message, { cause });
    this.lines = lines;
  }
}

/** Where a handler runs: `pool` for a sync function that may be offloaded and whose files are known. */
export function placementOf(handler: InvocableHandler, moduleUrls: readonly string[]): 'inline' | 'pool' {
  return !handler.isAsync && handler.offload !== false && moduleUrls.length > 0 ? 'pool' : 'inline';
}

/**
 * One attempt: the strict timeout/retries checks, the call (inline or on the pool), the classification.
 * Never rejects for what the handler did (errors, crashes of its worker); rejects with
 * {@link HandlerCancelledError} when `signal` cancels it.
 */
export async function invokeHandler(options: InvokeOptions): Promise<Invocation> {
  const { handler, kwargs } = options;
  const state = {
    retries: options.retries ?? numberOr(kwargs.retry, 0),
    runtime: options.runtime ?? numberOr(kwargs.runtime, 0),
    defaultBackoff: options.defaultBackoff,
    defaultErrors: options.defaultErrors,
    subrefs: options.subrefs,
  };
  const lines: LogLine[] = [invokedLine(handler, state)];
  const refused = checkBeforeAttempt(handler, state);
  if (refused) return { outcome: refused.outcome, lines: [...lines, ...refused.lines], placement: null };
  const placement = placementOf(handler, options.pool?.moduleUrls ?? []);
  let reply: PoolReply;
  try {
    reply = await callHandler(options);
  } catch (err) {
    if (options.signal?.aborted) {
      const cancelled = [...lines, cancelledLine(handler, state)];
      throw new HandlerCancelledError(
        `The ${placement === 'pool' ? 'sync ' : ''}handler '${handler.id}' was cancelled.`,
        cancelled,
        err,
      );
    }
    throw err;
  }
  const classified = reply.ok
    ? classifySuccess(handler, state, reply.result)
    : classifyFailure(handler, state, reply.error);
  return { outcome: classified.outcome, lines: [...lines, ...classified.lines], placement };
}

/**
 * Calls the handler once, without classification: inline or on the pool. Worker log records are replayed on
 * `kwargs.logger` and the worker's patch changes merged into `kwargs.patch` (also after a failure, as the
 * changes made before it stay in Kopf's patch). Rejects only when `signal` aborts a pool task.
 */
export async function callHandler(options: InvokeOptions): Promise<PoolReply> {
  const { handler, kwargs } = options;
  const pool = options.pool;
  const store: InvocationContext = { handler, kwargs, signal: options.signal, data: options.context ?? {} };
  if (options.signal?.aborted) throw options.signal.reason;
  if (!pool || placementOf(handler, pool.moduleUrls) === 'inline') {
    try {
      const result = await invocationContext.run(store, () => handler.fn(kwargs));
      return { ok: true, result, patch: {}, logs: [], subrefs: [] };
    } catch (thrown) {
      return { ok: false, error: thrown as Error, patch: {}, logs: [], subrefs: [] };
    }
  }
  const invocation = invocationOf(options.context);
  const events = eventSinkOf(options.context);
  const subhandling = options.context?.[SUBHANDLING] as SubhandlingSettings | undefined;
  const reply = await pool.run({
    handlerId: handler.id,
    handlerKind: handler.kind,
    kwargs,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    stopBuffer: options.stopFlag?.buffer,
    // The worker rebuilds the handler's invocation context: sub-handlers, the object for kopf.adopt() & co.
    invocation: invocation ? { kind: invocation.kind, ...(subhandling ? { subhandling } : {}) } : undefined,
    // Daemons and timers may run for long: their log lines and Events are replayed as they happen.
    streamLogs: options.stopFlag ? (record) => replayLogs(kwargs.logger, [record]) : undefined,
    onEvent: events,
  });
  replayLogs(kwargs.logger, reply.logs);
  if (isObject(kwargs.patch)) mergeInto(kwargs.patch, reply.patch);
  // An admission handler's warnings: the worker's copy of the list replaces ours (it started as a copy of it).
  if (Array.isArray(kwargs.warnings) && reply.warnings) kwargs.warnings.splice(0, kwargs.warnings.length, ...reply.warnings);
  if (invocation && reply.subrefs.length > 0) invocation.remoteSubrefs = reply.subrefs;
  return reply;
}

/** Replays worker log records on a main-thread logger (pino-style: `logger.info(fields, message)`). */
export function replayLogs(logger: unknown, records: readonly LogRecord[]): void {
  if (!isObject(logger)) return;
  for (const record of records) {
    const method =
      logger[record.level] ??
      (record.level === 'fatal' ? logger.error : record.level === 'trace' ? logger.debug : undefined);
    if (typeof method !== 'function') continue;
    if (Object.keys(record.fields).length > 0) method.call(logger, record.fields, record.message);
    else method.call(logger, record.message);
  }
}

/**
 * The older entry (src/engine wraps it in attempt.ts): calls the handler and resolves with its result or
 * rejects with what it threw, the error in its class also when it ran on the pool.
 */
export async function invoke(options: {
  handler: InvocableHandler;
  kwargs: Record<string, unknown>;
  /** The operator's pool; none: a sync handler runs inline. */
  pool?: WorkerPool | null | undefined;
  signal?: AbortSignal | undefined;
  /** Pool only: terminate the worker after this many ms (the handler's remaining `timeout`). */
  timeoutMs?: number | null | undefined;
  /** A daemon's or timer's `stopped` flag, shared with the worker. */
  stopFlag?: SharedStopFlag | undefined;
  /** Per-call data for {@link invocationContext} (the engine's sub-handler context). */
  context?: Record<string, unknown> | undefined;
}): Promise<unknown> {
  const reply = await callHandler(options);
  if (!reply.ok) throw reply.error;
  return reply.result;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isObject(value) && !Array.isArray(value) && isObject(current) && !Array.isArray(current))
      mergeInto(current, value);
    else target[key] = value;
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
