/**
 * The Piscina worker entry: in every worker thread, imports the operator's files once in "worker mode"
 * (registration fills this thread's registry; nothing starts), then runs handlers by id with plain-data
 * kwargs plus worker-side stand-ins for `logger` (records returned in order), `patch` (changes returned) and
 * `memo` (which cannot cross threads: using it throws a clear error). Returns an envelope, never throws.
 * Loaded by pool.ts; imports as little as possible.
 */
import { getDefaultRegistry } from '../handlers/registry.ts';

/** A log record made in a worker. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string | undefined;
  delay?: number | null | undefined;
  code?: number | undefined;
}

/** What a worker returns. */
export type Envelope =
  | { ok: true; result: unknown; patch: Record<string, unknown>; logs: LogRecord[] }
  | { ok: false; error: SerializedError; patch: Record<string, unknown>; logs: LogRecord[] };

(globalThis as Record<symbol, unknown>)[Symbol.for('kopf-ts.worker')] = true;
const imported = new Map<string, Promise<unknown>>();

function memoStandIn(handlerId: string): object {
  return new Proxy({}, {
    get(_target, key) {
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
      throw new Error(`'memo' is not available to sync handler '${handlerId}' on the worker pool (it cannot cross threads): make the handler async, or register it with { offload: false }.`);
    },
    set() {
      throw new Error(`'memo' is not available to sync handler '${handlerId}' on the worker pool: make the handler async, or register it with { offload: false }.`);
    },
  });
}

/** Runs one handler by id. */
export default async function runTask(task: { moduleUrls: string[]; handlerId: string; kwargs: Record<string, unknown> }): Promise<Envelope> {
  const logs: LogRecord[] = [];
  const patch: Record<string, unknown> = { metadata: { labels: {}, annotations: {} }, spec: {}, status: {} };
  Object.defineProperty(patch, 'meta', { get: () => patch.metadata, enumerable: false });
  const log = (level: LogRecord['level']) => (message: unknown) => logs.push({ level, message: String(message) });
  try {
    for (const url of task.moduleUrls) {
      if (!imported.has(url)) imported.set(url, import(url));
      await imported.get(url);
    }
    const handler = getDefaultRegistry().byId(task.handlerId);
    if (!handler) {
      throw new Error(
        `Sync handler '${task.handlerId}' is not registered in the worker thread (registrations must not depend on run-time state): make it async, or register it with { offload: false }.`,
      );
    }
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    const result = await handler.fn({ ...task.kwargs, logger, patch, memo: memoStandIn(task.handlerId) });
    try {
      structuredClone(result);
    } catch {
      throw new TypeError(`The result of sync handler '${task.handlerId}' cannot be sent back from the worker thread: return plain data, make the handler async, or register it with { offload: false }.`);
    }
    return { ok: true, result, patch, logs };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
    return {
      ok: false,
      error: { name: e.name, message: e.message, stack: e.stack, delay: (e as { delay?: number | null }).delay, code: (e as { code?: number }).code },
      patch,
      logs,
    };
  }
}
