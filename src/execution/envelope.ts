/**
 * What crosses the thread boundary between pool.ts and worker.ts: the task, the worker's reply (an envelope:
 * Piscina would lose an error's class and fields, so errors travel as data), the log records, and the
 * conversion of errors to data and back into their classes. Imports only src/model/errors.ts (and the type of the indexes' wire form).
 */
import {
  AdmissionError,
  HandlerChildrenRetry,
  HandlerRetriesError,
  HandlerTimeoutError,
  PermanentError,
  TemporaryError,
} from '../model/errors.ts';
import { ThrownValueError } from './thrown.ts';
import type { EventRequest } from './handler-context.ts';
import type { SubhandlingSettings } from './subhandling.ts';
import type { IndexWire } from './index-snapshots.ts';

/** The levels of a worker-side logger. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A log record made by a handler in a worker, replayed in order on the main thread's logger. */
export interface LogRecord {
  level: LogLevel;
  /** The formatted message (printf-style arguments already applied). */
  message: string;
  /** The bindings of the object's logger (namespace, name, uid, kind) as they were sent to the worker. */
  bindings: Record<string, unknown>;
  /** Extra fields of this record (a pino-style merge object, or a worker-side `logger.child()`), as JSON data. */
  fields: Record<string, unknown>;
  /** Milliseconds since the epoch, when the handler logged it. */
  time: number;
}

/** An error as data. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string | undefined;
  /** TemporaryError (and HandlerChildrenRetry): seconds until the next attempt. */
  delay?: number | null | undefined;
  /** AdmissionError: the HTTP-like code. */
  code?: number | undefined;
}

/** One task for a worker. */
export interface PoolTask {
  /** Operator files the worker imports (once each) before looking the handler up. */
  moduleUrls: string[];
  handlerId: string;
  /** The handler's kind (`changing`, `timer`, …) when ids may repeat across kinds. */
  handlerKind?: string | undefined;
  /** Plain-data kwargs: without `logger`, `patch`, `memo`, `stopped` (the worker makes stand-ins). */
  kwargs: Record<string, unknown>;
  /** Bindings of the object's logger, attached to every record. */
  bindings: Record<string, unknown>;
  /** The shared buffer of a {@link SharedStopFlag} behind the `stopped` kwarg, if the handler gets one. */
  stopBuffer?: SharedArrayBuffer | undefined;
  /**
   * Where log records go as they happen (long-running daemons and timers), instead of the reply. The worker
   * posts `null` last, so the main thread knows every record has arrived.
   */
  logPort?: import('node:worker_threads').MessagePort | undefined;
  /** The handler's invocation, for the worker to rebuild its context; absent for handlers without one. */
  invocation?: TaskInvocation | undefined;
  /** The indexes among the kwargs, as read-only snapshots by kwarg name (see index-snapshots.ts). */
  indexes?: Record<string, IndexWire> | undefined;
}

/** What the worker needs to rebuild a resource handler's invocation context (its object is `kwargs.body`). */
export interface TaskInvocation {
  kind: 'changing' | 'daemon' | 'timer';
  /** For a change handler: how its sub-handlers store their progress and results. */
  subhandling?: SubhandlingSettings;
}

/** What the worker posts on a task's `logPort`: a log record or an Event (then `null`, last). */
export type StreamMessage = LogRecord | { event: EventRequest };

/** The worker's reply: never a thrown error. `patch` holds only the changes the handler made (pruned). */
export type Envelope = (
  | { ok: true; result: unknown; patch: Record<string, unknown>; logs: LogRecord[] }
  | { ok: false; error: SerializedError; patch: Record<string, unknown>; logs: LogRecord[] }
) & {
  /** The Events the handler posted (none when they were streamed on the `logPort`). */
  events: EventRequest[];
  /** Ids of the sub-handlers that ran in the worker on the handler's behalf. */
  subrefs: string[];
  /** An admission handler's `warnings` kwarg as it left it (the list is copied into the thread, so it comes back). */
  warnings?: string[] | undefined;
};

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** An Error as data, with the fields of Kopf's errors. */
export function serializeError(err: Error): SerializedError {
  const out: SerializedError = { name: err.name, message: err.message, stack: err.stack };
  const { delay, code } = err as { delay?: unknown; code?: unknown };
  if (typeof delay === 'number' || delay === null) out.delay = delay;
  if (typeof code === 'number') out.code = code;
  return out;
}

/**
 * The error back in its class: TemporaryError (with its delay), HandlerChildrenRetry, PermanentError,
 * HandlerTimeoutError, HandlerRetriesError, AdmissionError (with its code), JavaScript's own error classes; anything
 * else becomes an Error with the original name. Message and stack are kept.
 */
export function reviveError(e: SerializedError): Error {
  let err: Error;
  switch (e.name) {
    case 'TemporaryError':
      err = new TemporaryError(e.message, { delay: e.delay === undefined ? 60 : e.delay });
      break;
    case 'HandlerChildrenRetry':
      err = new HandlerChildrenRetry(e.message, { delay: e.delay === undefined ? 60 : e.delay });
      break;
    case 'PermanentError':
      err = new PermanentError(e.message);
      break;
    case 'HandlerTimeoutError':
      err = new HandlerTimeoutError(e.message);
      break;
    case 'HandlerRetriesError':
      err = new HandlerRetriesError(e.message);
      break;
    case 'AdmissionError':
      err = new AdmissionError(e.message, e.code !== undefined ? { code: e.code } : {});
      break;
    case 'ThrownValueError': {
      const revived = new ThrownValueError(undefined);
      revived.message = e.message;
      err = revived;
      break;
    }
    default: {
      const Builtin = BUILTIN_ERRORS[e.name];
      err = Builtin ? new Builtin(e.message) : new Error(e.message);
      err.name = e.name;
    }
  }
  if (e.stack) err.stack = e.stack;
  return err;
}
