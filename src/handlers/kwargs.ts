/**
 * The kwargs object handlers receive, under Kopf's names (DESIGN §1). Built by src/engine/kwargs.ts. Types only.
 */
import type { Body, RawEvent } from '../model/body.ts';
import type { Diff } from '../model/diff.ts';
import type { Patch } from '../model/patch.ts';
import type { Resource } from '../model/resource.ts';

/** The logger a handler gets (a pino child logger bound to the object). */
export interface HandlerLogger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

/** Kwargs of every resource handler. */
export interface ResourceKwargs {
  body: Body;
  spec: Record<string, any>;
  meta: Body['metadata'];
  status: Record<string, any>;
  name: string;
  namespace: string | null;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resource: Resource;
  patch: Patch;
  logger: HandlerLogger;
  memo: Record<string, any>;
  param: any;
}

/** Kwargs of change handlers. */
export interface ChangingKwargs extends ResourceKwargs {
  retry: number;
  started: Date;
  runtime: number;
  reason: 'create' | 'update' | 'delete' | 'resume';
  diff: Diff;
  old: any;
  new: any;
}

/** Kwargs of event handlers. */
export interface EventKwargs extends ResourceKwargs {
  type: RawEvent['type'];
  event: RawEvent;
}

/** The `stopped` flag of daemons and timers: awaitable `wait()` in async ones, blocking in sync (pool) ones. */
export interface DaemonStopped {
  isSet(): boolean;
  /** Waits until stopped (true) or `seconds` pass (false). A Promise in async handlers, a boolean in sync ones. */
  wait(seconds?: number): any;
  /** The first reason (`'RESOURCE_DELETED'`, `'FILTERS_MISMATCH'`, `'OPERATOR_EXITING'`, …), null while running. */
  readonly reason: string | null;
  readonly reasons: string[];
}

/** Kwargs of daemons and timers. */
export interface DaemonKwargs extends ResourceKwargs {
  retry: number;
  started: Date;
  runtime: number;
  stopped: DaemonStopped;
  /** Aborted when the daemon is cancelled (after `cancellationBackoff`): Kopf's CancelledError. Async handlers only. */
  signal: AbortSignal;
}

/** Kwargs of timers (the same as daemons', as in Kopf). */
export type TimerKwargs = DaemonKwargs;

/** Kwargs of activities. */
export interface ActivityKwargs {
  logger: HandlerLogger;
  memo: Record<string, any>;
  param: any;
  retry: number;
  started: Date;
  runtime: number;
  settings: any;
}
