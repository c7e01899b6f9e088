/**
 * The registration API, `kopf.on.*`, `kopf.daemon/timer/index`, as in Kopf: `on.<cause>(selector,
 * [options,] handler)` returns the handler unchanged and adds it to the default registry
 * (or to the one given as its `registry` option). Imported by users
 * through src/index.ts. Imports only src/handlers and src/model.
 */
import { parseField } from './model/dicts.ts';
import type { ConnectionInfo, ConnectionInfoFields } from './model/connection-info.ts';
import type { ErrorsMode } from './model/errors.ts';
import { checkStorableId, handlerId } from './handlers/ids.ts';
import { getDefaultRegistry, type Registry } from './handlers/registry.ts';
import { parseSelector, type SelectorInput } from './handlers/selector.ts';
import { validateFilters, type FilterOptions, type ValueCriterion, type WhenCallback } from './handlers/filters.ts';
import { checkOptions, type OptionName, type Registration } from './handlers/options.ts';
import type { ChangingHandler, ChangingReason, EventHandler, ActivityHandler, HandlerFn, BaseOptions, DaemonHandler, TimerHandler, InitialDelay, IndexHandler, WebhookHandler, WebhookReason } from './handlers/handler.ts';
import type { Operation } from './model/reviews.ts';
import type {
  ActivityFn,
  ActivityKwargs,
  AsyncDaemonFn,
  CauseKwargs,
  ChangingFn,
  ChangingKwargs,
  DaemonFn,
  EventFn,
  EventKwargs,
  InvocationKwargs,
  ResourceKwargs,
  Spec,
  Status,
  SyncDaemonFn,
  ProbeFn,
  WebhookFn,
  WebhookKwargs,
} from './handlers/kwargs.ts';

/** A `field` option: `'spec.x'` or `['spec', 'x']`. */
export type FieldOption = string | readonly string[];

/** Filters of a resource handler; `K` is what its `when` callback receives. */
export interface ResourceFilterOptions<K> {
  labels?: Record<string, ValueCriterion>;
  annotations?: Record<string, ValueCriterion>;
  when?: (kwargs: K) => unknown;
  field?: FieldOption;
  value?: ValueCriterion;
}

/** What the filters of change handlers receive. */
type ChangingCause<S extends object, St extends object> = CauseKwargs<ChangingKwargs<S, St>>;

/** Options of every change handler (`on.create`; the others add their own). */
export interface ChangingOptions<S extends object = Spec, St extends object = Status> extends BaseOptions, ResourceFilterOptions<ChangingCause<S, St>> {}
/** Options of `on.create`. */
export type CreateOptions<S extends object = Spec, St extends object = Status> = ChangingOptions<S, St>;
/** Options of `on.resume`. */
export interface ResumeOptions<S extends object = Spec, St extends object = Status> extends ChangingOptions<S, St> {
  /** Also run for objects already being deleted. */
  deleted?: boolean;
}
/** Options of `on.update`: the field's old and new values can be filtered. */
export interface UpdateOptions<S extends object = Spec, St extends object = Status> extends ChangingOptions<S, St> {
  old?: ValueCriterion;
  new?: ValueCriterion;
}
/** Options of `on.delete`. */
export interface DeleteOptions<S extends object = Spec, St extends object = Status> extends ChangingOptions<S, St> {
  /** Do not hold the object with a finalizer for this handler. */
  optional?: boolean;
}
/** Options of `on.field`: `field` is required. */
export interface FieldOptions<S extends object = Spec, St extends object = Status> extends UpdateOptions<S, St> {
  field: FieldOption;
}
/** Options of `on.event` (no retries: an event handler's errors are logged and ignored). */
export interface EventOptions<S extends object = Spec, St extends object = Status> extends Pick<BaseOptions, 'id' | 'param' | 'offload' | 'registry'>, ResourceFilterOptions<CauseKwargs<EventKwargs<S, St>>> {}

/** What the filters and `initialDelay` functions of daemons and timers receive. */
type SpawningCause<S extends object, St extends object> = CauseKwargs<ResourceKwargs<S, St>>;

/** Options of `kopf.daemon` and `kopf.timer` (Kopf's, in camelCase). */
interface SpawningOptions<S extends object, St extends object> extends BaseOptions, ResourceFilterOptions<SpawningCause<S, St>> {
  /** Seconds before the first run, or a function of the kwargs returning them. */
  initialDelay?: number | ((kwargs: SpawningCause<S, St>) => number) | null;
}
/** Options of `kopf.daemon`. */
export interface DaemonOptions<S extends object = Spec, St extends object = Status> extends SpawningOptions<S, St> {
  cancellationBackoff?: number | null;
  cancellationTimeout?: number | null;
  cancellationPolling?: number | null;
}
/** Options of `kopf.timer`. */
export interface TimerOptions<S extends object = Spec, St extends object = Status> extends SpawningOptions<S, St> {
  interval?: number | null;
  idle?: number | null;
  sharp?: boolean;
}
/** What the filters of index handlers receive. */
type IndexCause<S extends object, St extends object> = CauseKwargs<ResourceKwargs<S, St>>;
/** Options of `kopf.index` / `kopf.on.index` (Kopf's: errors default to `'ignored'`; the id gets no field suffix). */
export interface IndexOptions<S extends object = Spec, St extends object = Status> extends BaseOptions, ResourceFilterOptions<IndexCause<S, St>> {}
/** Kwargs of an index handler: the object's (its `patch` is not applied, as in Kopf). */
export type IndexKwargs<S extends object = Spec, St extends object = Status> = ResourceKwargs<S, St> & InvocationKwargs;
/**
 * An index handler: returns a `Map` or a plain object (key → value, each value stored under its key), any other
 * value (stored under the `null` key), or nothing (the object's values stay as they are).
 */
export type IndexFn<S extends object = Spec, St extends object = Status> = (kwargs: IndexKwargs<S, St>) => unknown;
/** `kopf.index(selector, [options,] fn)` and `kopf.on.index(…)`. */
export interface IndexRegistration {
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: IndexFn<S, St>): IndexFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, options: IndexOptions<S, St>, fn: IndexFn<S, St>): IndexFn<S, St>;
}

/** Options of `on.validate` and `on.mutate` (Kopf's, in camelCase; no retries: an admission is answered once). */
export interface WebhookOptions<S extends object = Spec, St extends object = Status>
  extends Pick<BaseOptions, 'id' | 'param' | 'offload' | 'registry'>, ResourceFilterOptions<CauseKwargs<WebhookKwargs<S, St>>> {
  /** Kopf's older spelling of {@link operations}: one operation (or a list). */
  operation?: Operation | readonly Operation[];
  /** The operations the managed configuration sends (default: all). Not checked per request, as in Kopf. */
  operations?: readonly Operation[];
  /** null (default): the main body only; `'*'`: any subresource; else e.g. `'status'`, `'scale'`. */
  subresource?: string | null;
  /** Keep this webhook in the managed configuration when the operator exits. */
  persistent?: boolean;
  /** The handler has side effects (then it must skip them for `dryrun`): `sideEffects: NoneOnDryRun`. */
  sideEffects?: boolean;
  /** `failurePolicy: Ignore`: the API server admits the request when the webhook cannot be reached. */
  ignoreFailures?: boolean;
}

/** `on.validate/mutate(selector, [options,] fn)`. */
export interface WebhookRegistration {
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: WebhookFn<S, St>): WebhookFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, options: WebhookOptions<S, St>, fn: WebhookFn<S, St>): WebhookFn<S, St>;
}

/** Options of `on.startup` and `on.cleanup`. */
export type ActivityOptions = BaseOptions;

/** The options of each change registration, by its name. */
interface ChangingOptionsOf<S extends object, St extends object> {
  resume: ResumeOptions<S, St>;
  create: CreateOptions<S, St>;
  update: UpdateOptions<S, St>;
  delete: DeleteOptions<S, St>;
}

/**
 * `on.resume/create/update/delete(selector, [options,] fn)`. `S`/`St` type the object's spec and status. With a
 * `field`, `old`/`new` are that field's values, typed `V` (default `any`); without, the object's essences.
 */
export interface ChangingRegistration<C extends keyof ChangingOptionsOf<object, object>> {
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: ChangingFn<S, St>): ChangingFn<S, St>;
  <S extends object = Spec, St extends object = Status>(
    selector: SelectorInput,
    options: ChangingOptionsOf<S, St>[C] & { field?: undefined },
    fn: ChangingFn<S, St>,
  ): ChangingFn<S, St>;
  <S extends object = Spec, St extends object = Status, V = any>(
    selector: SelectorInput,
    options: ChangingOptionsOf<S, St>[C] & { field: FieldOption },
    fn: ChangingFn<S, St, V>,
  ): ChangingFn<S, St, V>;
  /** Options not written in place (a variable of the options type): maybe a field, so `old`/`new` are `V`. */
  <S extends object = Spec, St extends object = Status, V = any>(
    selector: SelectorInput,
    options: ChangingOptionsOf<S, St>[C],
    fn: ChangingFn<S, St, V>,
  ): ChangingFn<S, St, V>;
}

/** `on.field(selector, { field, … }, fn)`: `old`/`new` are the field's values, typed `V` (default `any`). */
export interface FieldRegistration {
  <S extends object = Spec, St extends object = Status, V = any>(selector: SelectorInput, options: FieldOptions<S, St>, fn: ChangingFn<S, St, V>): ChangingFn<S, St, V>;
}

/** `on.event(selector, [options,] fn)`. */
export interface EventRegistration {
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: EventFn<S, St>): EventFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, options: EventOptions<S, St>, fn: EventFn<S, St>): EventFn<S, St>;
}

/** The options of each spawning registration, by its name. */
interface SpawningOptionsOf<S extends object, St extends object> {
  daemon: DaemonOptions<S, St>;
  timer: TimerOptions<S, St>;
}

/**
 * `kopf.daemon/timer(selector, [options,] fn)`. An unannotated handler gets {@link DaemonKwargs} (`async` or
 * plain); one whose kwargs are annotated as `AsyncDaemonKwargs` or `SyncDaemonKwargs` gets those.
 */
export interface SpawningRegistration<C extends keyof SpawningOptionsOf<object, object>> {
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: DaemonFn<S, St>): DaemonFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: AsyncDaemonFn<S, St>): AsyncDaemonFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, fn: SyncDaemonFn<S, St>): SyncDaemonFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, options: SpawningOptionsOf<S, St>[C], fn: DaemonFn<S, St>): DaemonFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, options: SpawningOptionsOf<S, St>[C], fn: AsyncDaemonFn<S, St>): AsyncDaemonFn<S, St>;
  <S extends object = Spec, St extends object = Status>(selector: SelectorInput, options: SpawningOptionsOf<S, St>[C], fn: SyncDaemonFn<S, St>): SyncDaemonFn<S, St>;
}

/** Options of `on.probe` (an activity's). */
export type ProbeOptions = BaseOptions;

/** `on.probe([options,] fn)`: its result is served by the liveness endpoint (docs/probes.md). */
export interface ProbeRegistration {
  (fn: ProbeFn): ProbeFn;
  (options: ProbeOptions, fn: ProbeFn): ProbeFn;
}

/** `on.startup/cleanup([options,] fn)`. */
export interface ActivityRegistration {
  (fn: ActivityFn): ActivityFn;
  (options: ActivityOptions, fn: ActivityFn): ActivityFn;
}

/** What a login handler returns: credentials, or nothing (null/undefined: this handler has none). */
export type LoginResult = ConnectionInfo | ConnectionInfoFields | null | undefined;
/** Kwargs of a login handler: those of every activity, with `activity: 'login'`. */
export type LoginKwargs = Omit<ActivityKwargs, 'activity'> & { activity: 'login' };
/** A login handler (`async` or plain: a plain one runs on the worker pool, its result crossing as plain data). */
export type LoginFn = (kwargs: LoginKwargs) => LoginResult | Promise<LoginResult>;
/** `on.login([options,] fn)`. */
export interface LoginRegistration {
  (fn: LoginFn): LoginFn;
  (options: ActivityOptions, fn: LoginFn): LoginFn;
}

/** A handler as the implementations below see it (the public types say what it receives and returns). */
type AnyFn = (kwargs: any) => any;

/** What the implementations below accept: every option of every kind (the public types narrow it). */
interface AnyOptions extends BaseOptions, FilterOptions {
  field?: FieldOption;
  when?: WhenCallback;
  deleted?: boolean;
  optional?: boolean;
  initialDelay?: InitialDelay | null;
  cancellationBackoff?: number | null;
  cancellationTimeout?: number | null;
  cancellationPolling?: number | null;
  interval?: number | null;
  idle?: number | null;
  sharp?: boolean;
  operation?: Operation | readonly Operation[];
  operations?: readonly Operation[];
  subresource?: string | null;
  persistent?: boolean;
  sideEffects?: boolean;
  ignoreFailures?: boolean;
}

function isAsync(fn: HandlerFn): boolean {
  return fn.constructor?.name === 'AsyncFunction' || fn.constructor?.name === 'AsyncGeneratorFunction';
}

/** The fields every handler record takes from its function and the common options, with Kopf's defaults. */
function commonFields(fn: HandlerFn, options: BaseOptions, offloadByDefault = true) {
  return {
    fn,
    isAsync: isAsync(fn),
    offload: options.offload ?? offloadByDefault,
    param: options.param ?? null,
    errors: (options.errors ?? 'temporary') as ErrorsMode,
    timeout: options.timeout ?? null,
    retries: options.retries ?? null,
    backoff: options.backoff ?? null,
  };
}

/** Where a registration goes: its `registry` option (Kopf's `registry=`), else the default registry. */
function registryOf(options: { registry?: Registry | undefined }): Registry {
  return options.registry ?? getDefaultRegistry();
}

/** Strict options (src/handlers/options.ts): an unknown option or a bad value is a registration error. */
function checked(registration: Registration, options: unknown, fn: HandlerFn): void {
  const id = (options as { id?: unknown } | null)?.id;
  checkOptions(registration, options, typeof id === 'string' && id ? id : fn.name);
}

function split<O, F>(a: O | F, b?: F): [O, F] {
  return typeof a === 'function' ? [{} as O, a as F] : [a as O, b as F];
}

function changing(reason: ChangingReason, what: 'resume' | 'create' | 'update' | 'delete' | 'field', extra: Partial<ChangingHandler> = {}) {
  return (selector: SelectorInput, optionsOrFn: AnyOptions | AnyFn, maybeFn?: AnyFn): AnyFn => {
    const [options, fn] = split<AnyOptions, AnyFn>(optionsOrFn, maybeFn);
    if (typeof fn !== 'function') throw new TypeError(`kopf.on.${what}(): the handler function is missing.`);
    checked(what, options, fn);
    const field = options.field !== undefined ? parseField(options.field) : null;
    if (what === 'field' && !field) throw new TypeError('kopf.on.field() needs a field: { field: "spec.x" }.');
    if (what === 'create' && (options.old !== undefined || options.new !== undefined)) throw new TypeError('old/new filters are only for update and field handlers.');
    validateFilters(options, field);
    const id = handlerId(fn, options, field, what);
    checkStorableId(id, `${what} handler`);
    const handler: ChangingHandler = {
      kind: 'changing',
      id,
      ...commonFields(fn, options),
      selector: parseSelector(selector),
      filters: { labels: options.labels, annotations: options.annotations, when: options.when, value: options.value, old: options.old, new: options.new },
      field,
      reason,
      initial: false,
      deleted: false,
      requiresFinalizer: false,
      fieldNeedsChange: false,
      ...extra,
    };
    if (what === 'resume') handler.deleted = options.deleted ?? false;
    if (what === 'delete') handler.requiresFinalizer = !(options.optional ?? false);
    if ((what === 'update' || what === 'field') && field) handler.fieldNeedsChange = true;
    registryOf(options).add(handler);
    return fn;
  };
}

function event(selector: SelectorInput, optionsOrFn: AnyOptions | AnyFn, maybeFn?: AnyFn): AnyFn {
  const [options, fn] = split<AnyOptions, AnyFn>(optionsOrFn, maybeFn);
  if (typeof fn !== 'function') throw new TypeError('kopf.on.event(): the handler function is missing.');
  checked('event', options, fn);
  const field = options.field !== undefined ? parseField(options.field) : null;
  validateFilters(options, field);
  const handler: EventHandler = {
    kind: 'event',
    id: handlerId(fn, options, field, 'event'),
    fn: fn,
    isAsync: isAsync(fn),
    offload: options.offload ?? true,
    param: options.param ?? null,
    errors: 'ignored',
    timeout: null,
    retries: null,
    backoff: null,
    selector: parseSelector(selector),
    filters: { labels: options.labels, annotations: options.annotations, when: options.when, value: options.value },
    field,
  };
  registryOf(options).add(handler);
  return fn;
}

function activity(kind: ActivityHandler['activity']) {
  return (optionsOrFn: BaseOptions | AnyFn, maybeFn?: AnyFn): AnyFn => {
    const [options, fn] = split<BaseOptions, AnyFn>(optionsOrFn, maybeFn);
    if (typeof fn !== 'function') throw new TypeError(`kopf.on.${kind}(): the handler function is missing.`);
    checked(kind, options, fn);
    const handler: ActivityHandler = {
      kind: 'activity',
      activity: kind,
      id: handlerId(fn, options, null, kind),
      // Startup and cleanup run inline by default; login and probes, like every plain handler, on the pool.
      ...commonFields(fn, options, kind === 'login' || kind === 'probe'),
    };
    registryOf(options).add(handler);
    return fn;
  };
}

function nonNegative(what: string, value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${what} must be a non-negative number of seconds; got ${String(value)}.`);
  return value;
}

function spawning(kind: 'daemon' | 'timer') {
  return (selector: SelectorInput, optionsOrFn: AnyOptions | AnyFn, maybeFn?: AnyFn): AnyFn => {
    const [options, fn] = split<AnyOptions, AnyFn>(optionsOrFn, maybeFn);
    if (typeof fn !== 'function') throw new TypeError(`kopf.${kind}(): the handler function is missing.`);
    checked(kind, options, fn);
    const field = options.field !== undefined ? parseField(options.field) : null;
    validateFilters(options, field);
    const initialDelay = typeof options.initialDelay === 'function' ? options.initialDelay : nonNegative('initialDelay', options.initialDelay);
    const base = {
      id: handlerId(fn, options, field, kind),
      ...commonFields(fn, options),
      selector: parseSelector(selector),
      filters: { labels: options.labels, annotations: options.annotations, when: options.when, value: options.value } as FilterOptions,
      field,
      initialDelay,
    };
    if (kind === 'daemon') {
      const handler: DaemonHandler = {
        ...base,
        kind: 'daemon',
        cancellationBackoff: nonNegative('cancellationBackoff', options.cancellationBackoff),
        cancellationTimeout: nonNegative('cancellationTimeout', options.cancellationTimeout),
        cancellationPolling: nonNegative('cancellationPolling', options.cancellationPolling),
      };
      registryOf(options).add(handler);
    } else {
      const interval = nonNegative('interval', options.interval);
      if (interval === 0) throw new TypeError('kopf.timer(): interval must be positive.');
      const handler: TimerHandler = { ...base, kind: 'timer', interval, idle: nonNegative('idle', options.idle), sharp: options.sharp ?? false };
      registryOf(options).add(handler);
    }
    return fn;
  };
}

function indexing(selector: SelectorInput, optionsOrFn: AnyOptions | AnyFn, maybeFn?: AnyFn): AnyFn {
  const [options, fn] = split<AnyOptions, AnyFn>(optionsOrFn, maybeFn);
  if (typeof fn !== 'function') throw new TypeError('kopf.index(): the handler function is missing.');
  checked('index', options, fn);
  const field = options.field !== undefined ? parseField(options.field) : null;
  validateFilters(options, field);
  const handler: IndexHandler = {
    kind: 'index',
    // As in Kopf, an index's id gets no field suffix: it is the kwarg name of the index.
    id: handlerId(fn, options, null, 'index'),
    ...commonFields(fn, options),
    errors: options.errors ?? 'ignored',
    selector: parseSelector(selector),
    filters: { labels: options.labels, annotations: options.annotations, when: options.when, value: options.value },
    field,
  };
  registryOf(options).add(handler);
  return fn;
}

function webhook(reason: WebhookReason, what: 'validate' | 'mutate') {
  return (selector: SelectorInput, optionsOrFn: AnyOptions | AnyFn, maybeFn?: AnyFn): AnyFn => {
    const [options, fn] = split<AnyOptions, AnyFn>(optionsOrFn, maybeFn);
    if (typeof fn !== 'function') throw new TypeError(`kopf.on.${what}(): the handler function is missing.`);
    checked(what, options, fn);
    const field = options.field !== undefined ? parseField(options.field) : null;
    validateFilters(options, field);
    const given = options.operations ?? options.operation;
    const handler: WebhookHandler = {
      kind: 'webhook',
      reason,
      id: handlerId(fn, options, field, what),
      fn,
      isAsync: isAsync(fn),
      offload: options.offload ?? true,
      param: options.param ?? null,
      // As in Kopf: any error rejects the admission; no retries, no timeout of its own.
      errors: 'permanent',
      timeout: null,
      retries: null,
      backoff: null,
      selector: parseSelector(selector),
      filters: { labels: options.labels, annotations: options.annotations, when: options.when, value: options.value },
      field,
      operations: given === undefined || given === null ? null : [...new Set(Array.isArray(given) ? given : [given])] as Operation[],
      subresource: options.subresource ?? null,
      persistent: options.persistent ?? false,
      sideEffects: options.sideEffects ?? false,
      ignoreFailures: options.ignoreFailures ?? false,
    };
    registryOf(options).add(handler);
    return fn;
  };
}

/** `kopf.index(selector, [options,] fn)`: an in-memory index of the matching objects, given to every handler by its id. */
export const index: IndexRegistration = indexing;

/** `kopf.daemon(selector, [options,] fn)`: a long-running function for every matching object. */
export const daemon: SpawningRegistration<'daemon'> = spawning('daemon');
/** `kopf.timer(selector, [options,] fn)`: a function run on a schedule for every matching object. */
export const timer: SpawningRegistration<'timer'> = spawning('timer');

/** `kopf.on.*`: register handlers. */
export const on: {
  resume: ChangingRegistration<'resume'>;
  create: ChangingRegistration<'create'>;
  update: ChangingRegistration<'update'>;
  delete: ChangingRegistration<'delete'>;
  field: FieldRegistration;
  event: EventRegistration;
  daemon: SpawningRegistration<'daemon'>;
  timer: SpawningRegistration<'timer'>;
  index: IndexRegistration;
  startup: ActivityRegistration;
  cleanup: ActivityRegistration;
  login: LoginRegistration;
  probe: ProbeRegistration;
  validate: WebhookRegistration;
  mutate: WebhookRegistration;
} = {
  resume: changing(null, 'resume', { initial: true }),
  create: changing('create', 'create'),
  update: changing('update', 'update'),
  delete: changing('delete', 'delete'),
  field: changing(null, 'field'),
  event,
  daemon,
  timer,
  index,
  startup: activity('startup'),
  cleanup: activity('cleanup'),
  login: activity('login'),
  probe: activity('probe'),
  validate: webhook('validating', 'validate'),
  mutate: webhook('mutating', 'mutate'),
};

/** True when `A` and `B` are the same set of names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * The option types above and the table of src/handlers/options.ts name the same options, per registration: a
 * drift fails the type check here (and test/handlers/options.test.ts checks the runtime side).
 */
export type OptionTypesAgreeWithTable = {
  resume: SameNames<keyof ResumeOptions, OptionName<'resume'>>;
  create: SameNames<keyof CreateOptions, OptionName<'create'>>;
  update: SameNames<keyof UpdateOptions, OptionName<'update'>>;
  delete: SameNames<keyof DeleteOptions, OptionName<'delete'>>;
  field: SameNames<keyof FieldOptions, OptionName<'field'>>;
  event: SameNames<keyof EventOptions, OptionName<'event'>>;
  daemon: SameNames<keyof DaemonOptions, OptionName<'daemon'>>;
  timer: SameNames<keyof TimerOptions, OptionName<'timer'>>;
  startup: SameNames<keyof ActivityOptions, OptionName<'startup'>>;
  cleanup: SameNames<keyof ActivityOptions, OptionName<'cleanup'>>;
  login: SameNames<keyof ActivityOptions, OptionName<'login'>>;
  probe: SameNames<keyof ProbeOptions, OptionName<'probe'>>;
  index: SameNames<keyof IndexOptions, OptionName<'index'>>;
  validate: SameNames<keyof WebhookOptions, OptionName<'validate'>>;
  mutate: SameNames<keyof WebhookOptions, OptionName<'mutate'>>;
};
/** Fails to compile unless every entry of {@link OptionTypesAgreeWithTable} is `true`. */
export const optionTypesAgreeWithTable: OptionTypesAgreeWithTable = {
  resume: true,
  create: true,
  update: true,
  delete: true,
  field: true,
  event: true,
  daemon: true,
  timer: true,
  startup: true,
  cleanup: true,
  login: true,
  probe: true,
  index: true,
  validate: true,
  mutate: true,
};
