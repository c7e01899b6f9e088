/**
 * The Piscina worker entry (loaded by pool.ts in every pool thread). It marks the thread as a worker
 * (`globalThis[Symbol.for('kopf-ts.worker')] = true`, set when this module loads, before any operator file
 * is imported: the front door checks it so that `kopf.run()` and the like start nothing here), imports
 * each operator file once (the URLs come in `workerData.moduleUrls` and with each task), so that the same
 * registrations fill this thread's registries, finds the handler by id in the operator's registry (the default
 * one, or the one `workerData.registry` names) and calls it with the plain-data kwargs
 * plus stand-ins for `logger`, `patch`, `memo` and `stopped`, inside the same invocation context as in the
 * event loop (handler-context.ts): so a plain handler may call `kopf.subhandler` (its sub-handlers run here,
 * after it), `kopf.adopt/label/…` without an owner, and `kopf.event/info/warn/exception` (the Events go back
 * with the reply, or stream on the task's port). It always replies with an {@link Envelope}, never throws.
 * Imports as little as possible: model, the handlers registry, and this layer's small helpers.
 */
import { workerData } from 'piscina';
import { prunePatch } from '../model/patch.ts';
import { findRegistry, type Registry } from '../handlers/registry.ts';
import type { PoolWorkerData } from './pool.ts';
import { serializeError, type Envelope, type LogRecord, type PoolTask } from './envelope.ts';
import { collectingLogger, freshPatch, memoStandIn } from './standins.ts';
import { findUncloneable } from './cloneable.ts';
import { WorkerStopFlag } from './stop-flag.ts';
import { toError } from './thrown.ts';
import { importOperatorFile } from './operator-files.ts';
import {
  invocationContext,
  invocationData,
  type EventRequest,
  type EventSink,
  type HandlerInvocation,
} from './handler-context.ts';
import { attemptOutcome, childHandler, runSubhandlers, workerProgressStorage } from './subhandling.ts';
import { attempt } from './attempt.ts';
import type { TaskInvocation } from './envelope.ts';
import type { Body } from '../model/body.ts';
import { startedAt } from '../model/progress.ts';
import { resultToJson } from '../model/results.ts';
import { reviveIndexes } from './index-snapshots.ts';

/** The global flag that marks a pool worker thread ("worker mode"). */
export const WORKER_FLAG = Symbol.for('kopf-ts.worker');
(globalThis as Record<symbol, unknown>)[WORKER_FLAG] = true;

const WAY_OUT = 'make it async, or register it with { offload: false }';
/** Imports the operator files not imported yet in this thread (as the main thread did); a failure names the file. */
async function importAll(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    try {
      await importOperatorFile(url);
    } catch (err) {
      throw new Error(`${toError(err).message} (in a worker thread)`, { cause: err });
    }
  }
}

const poolData = workerData as Partial<PoolWorkerData> | undefined;

function moduleUrlsOf(task: Pick<PoolTask, 'moduleUrls'>): string[] {
  const fromPool = poolData?.moduleUrls;
  const urls = Array.isArray(fromPool) ? (fromPool as string[]) : [];
  return [...new Set([...urls, ...task.moduleUrls])];
}

/** A registered handler as the worker runs it. */
interface WorkerHandler {
  id: string;
  kind?: string | undefined;
  fn: (kwargs: any) => unknown;
}

/**
 * The operator's registry in this thread (after its files are imported): the default one, or the one its pool
 * names (`kopf.run({ registry })`), found among the registries the files created. Throws when there is none.
 */
function operatorRegistry(): Registry {
  const ref = poolData?.registry ?? null;
  const registry = findRegistry(ref);
  if (registry) return registry;
  throw new Error(
    `The operator's registry (a kopf.Registry with ${ref?.signature.length ?? 0} handlers) was not created in the worker thread ` +
      `when the operator files were imported. Create it and register its handlers at the top level of an operator file ` +
      `given in moduleUrls.`,
  );
}

function findHandler(id: string, kind: string | undefined): WorkerHandler | undefined {
  return operatorRegistry()
    .all()
    .find((h) => h.id === id && (kind === undefined || h.kind === kind));
}

/** Runs one sync handler by id and replies with its result or error, its patch changes and its log records. */
export default async function runTask(task: PoolTask): Promise<Envelope> {
  try {
    return await runTaskInner(task);
  } finally {
    task.logPort?.postMessage(null);
    task.logPort?.close();
  }
}

async function runTaskInner(task: PoolTask): Promise<Envelope> {
  const logs: LogRecord[] = [];
  const events: EventRequest[] = [];
  const port = task.logPort;
  if (port) {
    // Streamed: a daemon may run for hours; its lines and Events must show while it runs.
    logs.push = (...records: LogRecord[]): number => {
      for (const record of records) port.postMessage(record);
      return 0;
    };
    events.push = (...requests: EventRequest[]): number => {
      for (const event of requests) port.postMessage({ event });
      return 0;
    };
  }
  const patch = freshPatch(task.handlerId);
  const subrefs = new Set<string>();
  // An admission handler appends to its `warnings` kwarg: the list it gets here is a copy, so it goes back.
  const warnings = Array.isArray(task.kwargs.warnings) ? (task.kwargs.warnings as string[]) : undefined;
  const sink: EventSink = (request) => void events.push(eventAbout(request));
  const reply = (): {
    patch: Record<string, unknown>;
    logs: LogRecord[];
    events: EventRequest[];
    subrefs: string[];
    warnings?: string[] | undefined;
  } => ({
    patch: changesOf(patch),
    logs: port ? [] : logs,
    events: port ? [] : events,
    subrefs: [...subrefs],
    ...(warnings ? { warnings: warnings.map(String) } : {}),
  });
  try {
    try {
      await importAll(moduleUrlsOf(task));
    } catch (err) {
      throw new Error(
        `The sync handler '${task.handlerId}' cannot run on the worker pool: ${toError(err).message}. Fix that, or ${WAY_OUT}.`,
        { cause: err },
      );
    }
    const handler = findHandler(task.handlerId, task.handlerKind);
    if (!handler) {
      throw new Error(
        `The sync handler '${task.handlerId}' is not registered in the worker thread, so it cannot run on the worker pool. ` +
          `Registrations must happen when the operator files are imported, the same way every time (not from run-time state). ` +
          `Otherwise, ${WAY_OUT}.`,
      );
    }
    const kwargs: Record<string, unknown> = {
      ...task.kwargs,
      logger: collectingLogger(logs, task.bindings),
      patch,
      memo: memoStandIn(task.handlerId),
      ...reviveIndexes(task.indexes), // the indexes, by their ids (they override other kwargs, as in Kopf)
    };
    if (task.stopBuffer) kwargs.stopped = new WorkerStopFlag(task.stopBuffer);
    const result = await runInContext(handler, kwargs, task.invocation, sink, subrefs);
    const problem = findUncloneable(result, 'the result');
    if (problem) {
      throw new TypeError(
        `The result of the sync handler '${task.handlerId}' cannot be sent back from its worker thread: ${problem}. ` +
          `Return plain data, or ${WAY_OUT}.`,
      );
    }
    return { ok: true, result, ...reply() };
  } catch (thrown) {
    return { ok: false, error: serializeError(toError(thrown)), ...reply() };
  }
}

/**
 * Calls a handler inside the invocation context, as invoke.ts does in the event loop; then, for a change
 * handler that declared sub-handlers and did not `await kopf.execute()` them, runs them here (their closures
 * live in this thread). Their ids go into `subrefs`; their progress and results into `kwargs.patch`.
 */
async function runInContext(
  handler: WorkerHandler,
  kwargs: Record<string, unknown>,
  task: TaskInvocation | undefined,
  sink: EventSink,
  subrefs: Set<string>,
): Promise<unknown> {
  const invocation: HandlerInvocation | undefined = task && {
    kind: task.kind,
    handlerId: handler.id,
    body: kwargs.body,
    declared: [],
    executed: false,
    execute: async () => {
      invocation!.executed = true;
      await runChildren(handler, invocation!, kwargs, task, sink, subrefs);
    },
  };
  const store = { handler, kwargs, signal: undefined, data: invocationData(invocation, sink) };
  const value = await invocationContext.run(store, () => handler.fn(kwargs));
  if (invocation && !invocation.executed && invocation.declared.length > 0) await invocation.execute();
  return value;
}

/** Runs a plain parent's declared sub-handlers in this thread, each attempt classified as in the event loop. */
async function runChildren(
  parent: WorkerHandler,
  invocation: HandlerInvocation,
  kwargs: Record<string, unknown>,
  task: TaskInvocation,
  sink: EventSink,
  subrefs: Set<string>,
): Promise<void> {
  const settings = task.subhandling;
  if (invocation.kind !== 'changing' || !settings) {
    throw new TypeError(
      `kopf.subhandler() can only be used inside a change handler (not in '${parent.id}').`,
    );
  }
  await runSubhandlers({
    parentId: parent.id,
    declared: invocation.declared,
    body: kwargs.body as Body,
    cause: String(kwargs.reason ?? ''),
    patch: kwargs.patch as never,
    settings,
    progress: workerProgressStorage(settings, parent.id),
    now: Date.now,
    subrefs,
    runChild: async ({ id, declared, record }) => {
      const child = { ...childHandler(id, declared), kind: 'changing' };
      const now = Date.now();
      const started = startedAt(record, now);
      const retries = record.retries ?? 0;
      const childKwargs = {
        ...kwargs,
        param: child.param,
        retry: retries,
        started: new Date(started),
        runtime: (now - started) / 1000,
      };
      const childSubrefs = new Set<string>();
      const result = await attempt({
        handler: child,
        retries,
        runtime: (now - started) / 1000,
        defaultBackoff: settings.defaultBackoff,
        logger: kwargs.logger as never,
        invoke: async () => {
          const value = await runInContext(child, childKwargs, task, sink, childSubrefs);
          // A result that cannot be stored is this child's failure, as in the event loop.
          resultToJson(value, `the handler '${id}'`);
          return value;
        },
      });
      return attemptOutcome(result, childSubrefs);
    },
  });
}

/** What of an Event's object crosses back: its identity only (the poster reads nothing else). */
function eventAbout(request: EventRequest): EventRequest {
  const { apiVersion, kind, metadata } = request.object;
  const { name, namespace, uid, resourceVersion } = metadata ?? {};
  return {
    ...request,
    object: { apiVersion, kind, metadata: { name, namespace, uid, resourceVersion } } as Body,
  };
}

/** The ids (`kind:id`) registered in this thread after importing the operator files: main compares them with its own. */
export async function handlerIds(task: Pick<PoolTask, 'moduleUrls'>): Promise<string[]> {
  await importAll(moduleUrlsOf(task));
  return operatorRegistry().handlerIds();
}

function changesOf(patch: Record<string, unknown>): Record<string, unknown> {
  try {
    return prunePatch(patch);
  } catch {
    return {};
  }
}
