/**
 * The Piscina worker entry (loaded by pool.ts in every pool thread). It marks the thread as a worker
 * (`globalThis[Symbol.for('kopf-ts.worker')] = true`, set when this module loads, before any operator file
 * is imported: the front door checks it so that `kopf.run()` and the like start nothing here), imports
 * each operator file once (the URLs come in `workerData.moduleUrls` and with each task), so that the same
 * registrations fill this thread's registry, finds the handler by id and calls it with the plain-data kwargs
 * plus stand-ins for `logger`, `patch`, `memo` and `stopped`. It always replies with an {@link Envelope},
 * never throws. Imports as little as possible: model, the handlers registry, and this layer's small helpers.
 */
import { workerData } from 'piscina';
import { prunePatch } from '../model/patch.ts';
import { getDefaultRegistry } from '../handlers/registry.ts';
import { serializeError, type Envelope, type LogRecord, type PoolTask } from './envelope.ts';
import { collectingLogger, freshPatch, memoStandIn } from './standins.ts';
import { findUncloneable } from './cloneable.ts';
import { WorkerStopFlag } from './stop-flag.ts';
import { toError } from './thrown.ts';
import { importOperatorFile } from './operator-files.ts';
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

function moduleUrlsOf(task: Pick<PoolTask, 'moduleUrls'>): string[] {
  const fromPool = (workerData as { moduleUrls?: unknown } | undefined)?.moduleUrls;
  const urls = Array.isArray(fromPool) ? (fromPool as string[]) : [];
  return [...new Set([...urls, ...task.moduleUrls])];
}

function findHandler(id: string, kind: string | undefined): { fn: (kwargs: unknown) => unknown } | undefined {
  return getDefaultRegistry()
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
  const port = task.logPort;
  if (port) {
    // Streamed: a daemon may run for hours; its lines must show while it runs.
    logs.push = (...records: LogRecord[]): number => {
      for (const record of records) port.postMessage(record);
      return 0;
    };
  }
  const patch = freshPatch();
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
    const result = await handler.fn(kwargs);
    const problem = findUncloneable(result, 'the result');
    if (problem) {
      throw new TypeError(
        `The result of the sync handler '${task.handlerId}' cannot be sent back from its worker thread: ${problem}. ` +
          `Return plain data, or ${WAY_OUT}.`,
      );
    }
    return { ok: true, result, patch: changesOf(patch), logs: port ? [] : logs };
  } catch (thrown) {
    return { ok: false, error: serializeError(toError(thrown)), patch: changesOf(patch), logs: port ? [] : logs };
  }
}

/** The ids (`kind:id`) registered in this thread after importing the operator files: main compares them with its own. */
export async function handlerIds(task: Pick<PoolTask, 'moduleUrls'>): Promise<string[]> {
  await importAll(moduleUrlsOf(task));
  return getDefaultRegistry().handlerIds();
}

function changesOf(patch: Record<string, unknown>): Record<string, unknown> {
  try {
    return prunePatch(patch);
  } catch {
    return {};
  }
}
