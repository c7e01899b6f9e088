/**
 * The kwargs object handlers receive, under Kopf's names (DESIGN §1), typed per handler kind, and the
 * types of the handler functions themselves. The engine builds the kwargs (src/engine/kwargs.ts,
 * background.ts, activities.ts); src/on.ts types its registration functions with these; users import them
 * from the front door. Types only.
 *
 * `S` and `St` are the types of the object's `spec` and `status`: untyped code gets `Spec`/`Status`
 * (records of anything), a user who knows their CRD gives their own (`kopf.on.create<MySpec, MyStatus>`).
 */
import type { Body, ObjectMeta, RawEvent, RawEventType } from '../model/body.ts';
import type { Diff } from '../model/diff.ts';
import type { Memo } from '../model/memo.ts';
import type { Patch } from '../model/patch.ts';
import type { Resource } from '../model/resource.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { Headers, Operation, SslPeer, UserInfo } from '../model/reviews.ts';

/** `spec` of an object whose type nobody declared (Kopf's `kopf.Spec`): any field, any value. */
export type Spec = Record<string, any>;
/** `status` of an object whose type nobody declared (Kopf's `kopf.Status`). */
export type Status = Record<string, any>;
/** The object's `metadata` (Kopf's `kopf.Meta`). */
export type Meta = ObjectMeta;
/** `metadata.labels` (Kopf's `kopf.Labels`). */
export type Labels = Record<string, string>;
/** `metadata.annotations` (Kopf's `kopf.Annotations`). */
export type Annotations = Record<string, string>;

/**
 * What counts as a change of an object (Kopf's `kopf.BodyEssence`): the body without `status` and without
 * `metadata` except labels and annotations (kopf-ts's own annotations removed), plus the `field`s handlers
 * watch. `old`/`new` of a change handler without a `field`.
 */
export interface BodyEssence<S extends object = Spec> {
  spec?: S;
  metadata?: { labels?: Labels; annotations?: Annotations };
  [key: string]: unknown;
}

/**
 * What a handler may assign in a patch of a part typed `T`: any field, recursively, or `null` to delete it
 * (a JSON merge patch). Lists are replaced whole.
 */
export type PatchOf<T> = {
  [K in keyof T]?:
    (T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? PatchOf<T[K]> : T[K]) | null;
};

/**
 * A JSON-like value: what a handler may return (stored in `status.<handler id>`; `undefined` in an object is
 * left out, in a list it becomes `null`). Object types must be JSON-like all the way down; an `interface` has no index signature, so declare result shapes with `type`
 * (or return an object literal).
 */
export type JsonLike =
  | null
  | boolean
  | number
  | string
  | readonly (JsonLike | undefined)[]
  | { readonly [key: string]: JsonLike | undefined };

/** What a handler returns: a JSON-like result (merged into `status.<id>`) or nothing. */
export type HandlerResult = JsonLike | void | undefined;

/**
 * The logger a handler gets (Kopf's `kopf.Logger`): a pino logger bound to the object, pino's call forms
 * (`info('text %s', x)`, `info({ key: 1 }, 'text')`), and `child()`.
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** A logger adding `bindings` to every record. */
  child(bindings: Record<string, unknown>): Logger;
}

/** One level of a {@link Logger}. */
export interface LogFn {
  (msg: string, ...args: unknown[]): void;
  (obj: object, msg?: string, ...args: unknown[]): void;
}

/** The earlier name of {@link Logger}. */
export type HandlerLogger = Logger;

/** Kwargs of every resource handler: the object and its parts, the patch to fill, logger, memo, param. */
export interface ResourceKwargs<S extends object = Spec, St extends object = Status> {
  body: Body<S, St>;
  /** The object's `spec` (`{}` when absent). */
  spec: S;
  meta: Meta;
  /** The object's `status` (`{}` when absent). */
  status: St;
  name: string;
  /** Null for a cluster-scoped object. */
  namespace: string | null;
  uid: string;
  labels: Labels;
  annotations: Annotations;
  /** The resource actually served (not the selector). */
  resource: Resource;
  /** A merge patch to fill: `patch.status.x = 1`, `patch.metadata.labels.y = 'z'`; `null` deletes. */
  patch: Patch<PatchOf<S>, PatchOf<St>>;
  logger: Logger;
  /**
   * Per-object in-memory state shared by the object's handlers. Not on the worker pool: a plain function
   * running there gets a stand-in that throws on use.
   */
  memo: Memo;
  /** The registration's `param`. */
  param: any;
}

/** What every handler invocation adds: the attempt number, when the first attempt started, time since then. */
export interface InvocationKwargs {
  /** 0 on the first attempt. */
  retry: number;
  started: Date;
  /** Seconds since `started`. */
  runtime: number;
}

/**
 * Kwargs of change handlers (`on.resume/create/update/delete/field`). `V` is the type of `old`/`new`: the
 * essences for a handler without `field`; the field's values (`any` unless given) for one with a `field`.
 */
export interface ChangingKwargs<
  S extends object = Spec,
  St extends object = Status,
  V = BodyEssence<S> | null,
>
  extends ResourceKwargs<S, St>, InvocationKwargs {
  /** The cause actually being handled (a resume handler mixed into an update or deletion gets that). */
  reason: 'create' | 'update' | 'delete' | 'resume';
  /** Kopf's diff `[[op, path, old, new], …]`; relative to the field for a handler with `field`. */
  diff: Diff;
  /** The old essence (`null` on creation), or the field's old value (`null` when absent). */
  old: V;
  /** The new essence, or the field's new value (`null` when absent). */
  new: V;
}

/** Kwargs of event handlers (`on.event`). */
export interface EventKwargs<S extends object = Spec, St extends object = Status>
  extends ResourceKwargs<S, St>, InvocationKwargs {
  /** `null` for an object found by the initial listing, else the watch event's type. */
  type: RawEventType;
  event: RawEvent<S, St>;
}

/**
 * The `stopped` flag of daemons and timers (Kopf's `kopf.DaemonStopped`). `wait()` returns a Promise in an
 * `async` handler and a boolean in a plain one (it blocks that worker thread); for the precise type, annotate
 * the handler's kwargs as {@link AsyncDaemonKwargs} or {@link SyncDaemonKwargs}.
 */
export interface DaemonStopped {
  isSet(): boolean;
  /** Waits until stopped (`true`) or until `seconds` pass (`false`; never, when omitted). */
  wait(seconds?: number): boolean | Promise<boolean>;
  /**
   * The first reason (a `kopf.DaemonStoppingReason`: `'RESOURCE_DELETED'`, `'FILTERS_MISMATCH'`,
   * `'OPERATOR_EXITING'`, …), null while running.
   */
  readonly reason: string | null;
  readonly reasons: readonly string[];
}

/** The `stopped` flag of an `async` daemon or timer: `await stopped.wait(10)`. */
export interface AsyncDaemonStopped extends DaemonStopped {
  wait(seconds?: number): Promise<boolean>;
}

/** The `stopped` flag of a plain (sync) daemon or timer: `stopped.wait(10)` blocks its thread. */
export interface SyncDaemonStopped extends DaemonStopped {
  wait(seconds?: number): boolean;
}

/** Kwargs of daemons and timers, for a handler that may be `async` or plain. */
export interface DaemonKwargs<S extends object = Spec, St extends object = Status>
  extends ResourceKwargs<S, St>, InvocationKwargs {
  stopped: DaemonStopped;
  /**
   * Aborted when the daemon is cancelled (after `cancellationBackoff`): Kopf's CancelledError. Given to
   * `async` handlers and to plain ones kept inline (`offload: false`), not to those on the worker pool.
   */
  signal?: AbortSignal | undefined;
}

/** Kwargs of an `async` daemon or timer: `stopped.wait()` is awaitable and `signal` is always there. */
export interface AsyncDaemonKwargs<S extends object = Spec, St extends object = Status> extends DaemonKwargs<
  S,
  St
> {
  stopped: AsyncDaemonStopped;
  signal: AbortSignal;
}

/** Kwargs of a plain (sync) daemon or timer: `stopped.wait()` blocks and returns a boolean. */
export interface SyncDaemonKwargs<S extends object = Spec, St extends object = Status> extends DaemonKwargs<
  S,
  St
> {
  stopped: SyncDaemonStopped;
}

/** Kwargs of timers: the same as daemons' (as in Kopf). */
export type TimerKwargs<S extends object = Spec, St extends object = Status> = DaemonKwargs<S, St>;

/** Kwargs of activities (`on.startup`, `on.cleanup`). */
export interface ActivityKwargs extends InvocationKwargs {
  logger: Logger;
  /** The operator-wide memo (each object's memo starts as a shallow copy of it). */
  memo: Memo;
  param: any;
  /** The operator's settings; change them in a startup handler. */
  settings: OperatorSettings;
  activity: 'startup' | 'cleanup';
}

/**
 * What filter callbacks (`when`, and `initialDelay` functions) receive: the cause kwargs, without the
 * invocation's `param`, `retry`, `started`, `runtime` (as in Kopf).
 */
export type CauseKwargs<K> = Omit<K, 'param' | 'retry' | 'started' | 'runtime'>;

/** A handler function of kwargs `K`: `async` or plain, returning a JSON-like result or nothing. */
export type HandlerFunction<K> = (kwargs: K) => HandlerResult | Promise<HandlerResult>;

/** A change handler. */
export type ChangingFn<
  S extends object = Spec,
  St extends object = Status,
  V = BodyEssence<S> | null,
> = HandlerFunction<ChangingKwargs<S, St, V>>;
/** An event handler. */
export type EventFn<S extends object = Spec, St extends object = Status> = HandlerFunction<
  EventKwargs<S, St>
>;
/** A daemon or timer that may be `async` or plain. */
export type DaemonFn<S extends object = Spec, St extends object = Status> = HandlerFunction<
  DaemonKwargs<S, St>
>;
/** An `async` daemon or timer with its precise kwargs. */
export type AsyncDaemonFn<S extends object = Spec, St extends object = Status> = (
  kwargs: AsyncDaemonKwargs<S, St>,
) => Promise<HandlerResult>;
/** A plain (sync) daemon or timer with its precise kwargs. */
export type SyncDaemonFn<S extends object = Spec, St extends object = Status> = (
  kwargs: SyncDaemonKwargs<S, St>,
) => HandlerResult;
/** An activity handler. */
export type ActivityFn = HandlerFunction<ActivityKwargs>;

/** Kwargs of probes (`on.probe`): an activity's, with `activity: 'probe'`. */
export interface ProbeKwargs extends Omit<ActivityKwargs, 'activity'> {
  activity: 'probe';
}
/** A probe handler: the liveness endpoint serves its result under its id. */
export type ProbeFn = HandlerFunction<ProbeKwargs>;

/**
 * Kwargs of admission handlers (`on.validate`, `on.mutate`): the object under review (`object`, or `oldObject`
 * for DELETE), `old`/`new`/`diff` between the two, and the request's details. `patch` is the mutation (returned
 * to the API server as a JSON patch); `warnings` is a list to append to (shown to the client).
 */
export interface WebhookKwargs<S extends object = Spec, St extends object = Status>
  extends ResourceKwargs<S, St>, InvocationKwargs {
  /** The kopf-ts diff between `oldObject` and `object` (whole bodies). */
  diff: Diff;
  /** `oldObject` (null on CREATE and CONNECT). */
  old: Body<S, St> | null;
  /** `object` (null on DELETE). */
  new: Body<S, St> | null;
  /** Messages appended here are returned as the admission's warnings (kubectl prints them). */
  warnings: string[];
  /** `request.dryRun`: the change will not be stored, so side effects must be skipped. */
  dryrun: boolean;
  /** `request.userInfo`. */
  userinfo: UserInfo;
  /** The client certificate of the API server's request, as Node's `getPeerCertificate()`; `{}` without one. */
  sslpeer: SslPeer;
  /** The HTTP headers of the API server's request (names in lower case). */
  headers: Headers;
  operation: Operation;
  /** The subresource (`'status'`, `'scale'`, …), or null for the main body. */
  subresource: string | null;
}

/** An admission handler: throws `kopf.AdmissionError` to reject; its return value is ignored. */
export type WebhookFn<S extends object = Spec, St extends object = Status> = (kwargs: WebhookKwargs<S, St>) => unknown;
