/**
 * The handler records: what a user declared with `kopf.on.*`, `kopf.daemon`, `kopf.timer`, `kopf.index`.
 * Filled by src/on.ts into the registry; read by src/engine (selection) and src/execution (invocation).
 */
import type { ErrorsMode } from '../model/errors.ts';
import type { FieldPath } from '../model/dicts.ts';
import type { Selector } from './selector.ts';
import type { FilterOptions } from './filters.ts';
import type { Registry } from './registry.ts';
import type { Operation } from '../model/reviews.ts';

/** Every kind of handler. */
export type HandlerKind = 'changing' | 'event' | 'daemon' | 'timer' | 'index' | 'activity' | 'webhook';

/** The causes a change handler is registered for (`null`: any, as `on.field`). */
export type ChangingReason = 'create' | 'update' | 'delete' | 'resume' | null;

/** Options common to every handler. */
export interface BaseOptions {
  id?: string;
  param?: unknown;
  errors?: ErrorsMode;
  timeout?: number | null;
  retries?: number | null;
  backoff?: number | null;
  /** For a plain (non-async) function: run it on the worker pool (default) or inline (`false`). */
  offload?: boolean;
  /** The registry to add the handler to (Kopf's `registry=`); default: the default registry. */
  registry?: Registry;
}

/** A handler function: receives one kwargs object. */
export type HandlerFn = (kwargs: any) => unknown;

/** What every handler record has. */
export interface BaseHandler {
  kind: HandlerKind;
  id: string;
  fn: HandlerFn;
  /** An `async function`: runs in the event loop. Otherwise sync: on the pool unless `offload: false`. */
  isAsync: boolean;
  offload: boolean;
  param: unknown;
  errors: ErrorsMode;
  timeout: number | null;
  retries: number | null;
  backoff: number | null;
}

/** A resource handler: it has a selector and filters. */
export interface ResourceHandler extends BaseHandler {
  selector: Selector;
  filters: FilterOptions;
  /** The `field` option as a path, or null. */
  field: FieldPath | null;
}

/** on.resume/create/update/delete/field. */
export interface ChangingHandler extends ResourceHandler {
  kind: 'changing';
  reason: ChangingReason;
  /** Resume handlers: only for objects first seen by the initial listing. */
  initial: boolean;
  /** Resume handlers with `deleted: true` also run for objects being deleted. */
  deleted: boolean;
  /** Non-optional delete handlers need the finalizer. */
  requiresFinalizer: boolean;
  /** Update and field handlers with a field run only when that field's value changed. */
  fieldNeedsChange: boolean;
}

/** on.event. */
export interface EventHandler extends ResourceHandler {
  kind: 'event';
}

/** `initial_delay`: seconds, or a function of the daemon's kwargs returning seconds. */
export type InitialDelay = number | ((kwargs: any) => number);

/** What daemons and timers share (Kopf's "spawning" handlers). Both hold the finalizer while they run. */
export interface SpawningHandler extends ResourceHandler {
  kind: 'daemon' | 'timer';
  initialDelay: InitialDelay | null;
}

/** `kopf.daemon`: a long-running function per object, stopped on deletion, filter mismatch and exit. */
export interface DaemonHandler extends SpawningHandler {
  kind: 'daemon';
  /** Seconds between setting `stopped` and cancelling (aborting `signal`); null: no cancellation. */
  cancellationBackoff: number | null;
  /** Seconds between cancelling and abandoning it; null: wait for it to exit (the finalizer stays). */
  cancellationTimeout: number | null;
  /** Kept for Kopf compatibility: kopf-ts waits for the exit without polling. */
  cancellationPolling: number | null;
}

/** `kopf.timer`: a function run per object every `interval` seconds and/or after `idle` seconds without changes. */
export interface TimerHandler extends SpawningHandler {
  kind: 'timer';
  interval: number | null;
  idle: number | null;
  /** The next run starts `interval` after the previous one STARTED (not ended), skipping missed ticks. */
  sharp: boolean;
}

/** `kopf.index` / `kopf.on.index`: its results fill the in-memory index named by its id. */
export interface IndexHandler extends ResourceHandler {
  kind: 'index';
}

/** Which admission webhook a handler serves: `on.validate` or `on.mutate`. */
export type WebhookReason = 'validating' | 'mutating';

/** `kopf.on.validate` / `kopf.on.mutate`: called by the webhook server for each admission request (src/admission). */
export interface WebhookHandler extends ResourceHandler {
  kind: 'webhook';
  reason: WebhookReason;
  /** For the managed configuration's rules; null: every operation. Not checked per request (as in Kopf). */
  operations: Operation[] | null;
  /** null: only the main body; `'*'`: any subresource; else that subresource. */
  subresource: string | null;
  /** Kept in the managed configuration when the operator exits. */
  persistent: boolean;
  /** `sideEffects: NoneOnDryRun` (else `None`) in the managed configuration. */
  sideEffects: boolean;
  /** `failurePolicy: Ignore` (else `Fail`) in the managed configuration. */
  ignoreFailures: boolean;
}

/** startup/cleanup/login/probe. */
export interface ActivityHandler extends BaseHandler {
  kind: 'activity';
  activity: 'startup' | 'cleanup' | 'login' | 'probe';
}

/** Any registered handler. */
export type Handler = ChangingHandler | EventHandler | DaemonHandler | TimerHandler | ActivityHandler | IndexHandler | WebhookHandler;
