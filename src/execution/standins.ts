/**
 * Worker-side stand-ins for the kwargs that cannot cross threads: a `logger` that collects records (in
 * order, with the object's bindings) to be replayed by the main thread, a fresh `patch` whose changes are
 * sent back, and a `memo` that throws a clear error on use. Used by worker.ts only. Imports only model and
 * node builtins.
 */
import { format } from 'node:util';
import { newPatch, type Patch } from '../model/patch.ts';
import type { LogLevel, LogRecord } from './envelope.ts';

/** The worker-side logger (pino-like: `info('text %s', x)` or `info({ key: 1 }, 'text')`, and `child()`). */
export interface CollectingLogger {
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
  child(bindings: Record<string, unknown>): CollectingLogger;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** A logger whose records are pushed to `records`, each with `bindings` and its own fields. */
export function collectingLogger(
  records: LogRecord[],
  bindings: Record<string, unknown>,
  fields: Record<string, unknown> = {},
): CollectingLogger {
  const logAt =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      let extra: Record<string, unknown> = {};
      if (args.length > 0 && typeof args[0] === 'object' && args[0] !== null) {
        const first = args.shift();
        extra = first instanceof Error ? { err: first } : (first as Record<string, unknown>);
        if (args.length === 0 && first instanceof Error) args.push(first.message);
      }
      records.push({
        level,
        message: format(...args),
        bindings,
        fields: asJson({ ...fields, ...extra }),
        time: Date.now(),
      });
    };
  const logger = Object.fromEntries(
    LEVELS.map((level) => [level, logAt(level)]),
  ) as unknown as CollectingLogger;
  logger.child = (more) => collectingLogger(records, bindings, { ...fields, ...asJson(more) });
  return logger;
}

/** A fresh empty patch for the handler to fill; its `patch.fns` explains why it cannot be used here. */
export function freshPatch(handlerId: string): Patch {
  const patch = newPatch();
  // Functions cannot come back from a worker thread: say so on first use rather than drop them silently.
  Object.defineProperty(patch, 'fns', {
    configurable: true,
    enumerable: false,
    get: (): never => {
      throw new Error(
        `'patch.fns' is not available to the sync handler '${handlerId}': it runs on the worker pool, and functions cannot be sent back from a thread. ` +
          `Make the handler async, or register it with { offload: false }.`,
      );
    },
  });
  return patch;
}

/** A `memo` that explains, on any use, that memo does not cross threads and what to do instead. */
export function memoStandIn(handlerId: string): object {
  const fail = (): never => {
    throw new Error(
      `'memo' is not available to the sync handler '${handlerId}': it runs on the worker pool, and memo does not cross threads. ` +
        `Make the handler async, or register it with { offload: false }.`,
    );
  };
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      // Tolerate probes by inspection, promises and JSON, which are not uses.
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
      return fail();
    },
    set: fail,
    has: fail,
    deleteProperty: fail,
    ownKeys: fail,
    defineProperty: fail,
  });
}

function asJson(value: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, v: unknown) => {
        if (v instanceof Error) return { type: v.name, message: v.message, stack: v.stack };
        if (typeof v === 'bigint') return v.toString();
        return v;
      }),
    ) as Record<string, unknown>;
  } catch {
    return { fields: '(not serialisable)' };
  }
}
