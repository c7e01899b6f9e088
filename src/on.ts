/**
 * The registration API, `kopf.on.*`, `kopf.daemon/timer/index`, as in Kopf: `on.<cause>(selector,
 * [options,] handler)` returns the handler unchanged and adds it to the default registry. Imported by users
 * through src/index.ts. Imports only src/handlers and src/model.
 */
import { parseField } from './model/dicts.ts';
import type { ErrorsMode } from './model/errors.ts';
import { handlerId } from './handlers/ids.ts';
import { getDefaultRegistry } from './handlers/registry.ts';
import { parseSelector, type SelectorInput } from './handlers/selector.ts';
import { validateFilters, type FilterOptions } from './handlers/filters.ts';
import type { ChangingHandler, ChangingReason, EventHandler, ActivityHandler, HandlerFn, BaseOptions, DaemonHandler, TimerHandler, InitialDelay } from './handlers/handler.ts';
import type { ChangingKwargs, EventKwargs, ActivityKwargs, DaemonKwargs } from './handlers/kwargs.ts';

/** Options of change handlers. */
export interface ChangingOptions extends BaseOptions, FilterOptions {
  field?: string | string[];
}
/** Options of `on.resume`. */
export interface ResumeOptions extends ChangingOptions {
  deleted?: boolean;
}
/** Options of `on.delete`. */
export interface DeleteOptions extends ChangingOptions {
  optional?: boolean;
}
/** Options of `on.event`. */
export interface EventOptions extends FilterOptions {
  id?: string;
  param?: unknown;
  field?: string | string[];
  offload?: boolean;
}

/** Options of `kopf.daemon` and `kopf.timer` (Kopf's, in camelCase). */
interface SpawningOptions extends BaseOptions {
  labels?: FilterOptions['labels'];
  annotations?: FilterOptions['annotations'];
  when?: FilterOptions['when'];
  field?: string | string[];
  value?: FilterOptions['value'];
  /** Seconds before the first run, or a function of the kwargs returning them. */
  initialDelay?: InitialDelay | null;
}
/** Options of `kopf.daemon`. */
export interface DaemonOptions extends SpawningOptions {
  cancellationBackoff?: number | null;
  cancellationTimeout?: number | null;
  cancellationPolling?: number | null;
}
/** Options of `kopf.timer`. */
export interface TimerOptions extends SpawningOptions {
  interval?: number | null;
  idle?: number | null;
  sharp?: boolean;
}

type Fn<K> = (kwargs: K) => unknown;

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

function split<O, F>(a: O | F, b?: F): [O, F] {
  return typeof a === 'function' ? [{} as O, a as F] : [a as O, b as F];
}

function changing(reason: ChangingReason, what: string, extra: Partial<ChangingHandler> = {}) {
  return <K extends ChangingKwargs>(selector: SelectorInput, optionsOrFn: (ChangingOptions & ResumeOptions & DeleteOptions) | Fn<K>, maybeFn?: Fn<K>): Fn<K> => {
    const [options, fn] = split<ChangingOptions & ResumeOptions & DeleteOptions, Fn<K>>(optionsOrFn, maybeFn);
    if (typeof fn !== 'function') throw new TypeError(`kopf.on.${what}(): the handler function is missing.`);
    const field = options.field !== undefined ? parseField(options.field) : null;
    if (what === 'field' && !field) throw new TypeError('kopf.on.field() needs a field: { field: "spec.x" }.');
    if (what === 'create' && (options.old !== undefined || options.new !== undefined)) throw new TypeError('old/new filters are only for update and field handlers.');
    validateFilters(options, field);
    const handler: ChangingHandler = {
      kind: 'changing',
      id: handlerId(fn, options, field, what),
      ...commonFields(fn as HandlerFn, options),
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
    getDefaultRegistry().add(handler);
    return fn;
  };
}

function event<K extends EventKwargs>(selector: SelectorInput, optionsOrFn: EventOptions | Fn<K>, maybeFn?: Fn<K>): Fn<K> {
  const [options, fn] = split<EventOptions, Fn<K>>(optionsOrFn, maybeFn);
  if (typeof fn !== 'function') throw new TypeError('kopf.on.event(): the handler function is missing.');
  const field = options.field !== undefined ? parseField(options.field) : null;
  validateFilters(options, field);
  const handler: EventHandler = {
    kind: 'event',
    id: handlerId(fn, options, field, 'event'),
    fn: fn as HandlerFn,
    isAsync: isAsync(fn as HandlerFn),
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
  getDefaultRegistry().add(handler);
  return fn;
}

function activity(kind: ActivityHandler['activity']) {
  return <K extends ActivityKwargs>(optionsOrFn: BaseOptions | Fn<K>, maybeFn?: Fn<K>): Fn<K> => {
    const [options, fn] = split<BaseOptions, Fn<K>>(optionsOrFn, maybeFn);
    if (typeof fn !== 'function') throw new TypeError(`kopf.on.${kind}(): the handler function is missing.`);
    const handler: ActivityHandler = {
      kind: 'activity',
      activity: kind,
      id: handlerId(fn, options, null, kind),
      ...commonFields(fn as HandlerFn, options, false),
    };
    getDefaultRegistry().add(handler);
    return fn;
  };
}

function nonNegative(what: string, value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${what} must be a non-negative number of seconds; got ${String(value)}.`);
  return value;
}

function spawning<O extends SpawningOptions>(kind: 'daemon' | 'timer') {
  return <K extends DaemonKwargs>(selector: SelectorInput, optionsOrFn: O | Fn<K>, maybeFn?: Fn<K>): Fn<K> => {
    const [given, fn] = split<O, Fn<K>>(optionsOrFn, maybeFn);
    const options = given as DaemonOptions & TimerOptions;
    if (typeof fn !== 'function') throw new TypeError(`kopf.${kind}(): the handler function is missing.`);
    const field = options.field !== undefined ? parseField(options.field) : null;
    validateFilters(options, field);
    const initialDelay = typeof options.initialDelay === 'function' ? options.initialDelay : nonNegative('initialDelay', options.initialDelay);
    const base = {
      id: handlerId(fn, options, field, kind),
      ...commonFields(fn as HandlerFn, options),
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
      getDefaultRegistry().add(handler);
    } else {
      const interval = nonNegative('interval', options.interval);
      if (interval === 0) throw new TypeError('kopf.timer(): interval must be positive.');
      const handler: TimerHandler = { ...base, kind: 'timer', interval, idle: nonNegative('idle', options.idle), sharp: options.sharp ?? false };
      getDefaultRegistry().add(handler);
    }
    return fn;
  };
}

/** `kopf.daemon(selector, [options,] fn)`: a long-running function for every matching object. */
export const daemon = spawning<DaemonOptions>('daemon');
/** `kopf.timer(selector, [options,] fn)`: a function run on a schedule for every matching object. */
export const timer = spawning<TimerOptions>('timer');

/** `kopf.on.*`: register handlers. */
export const on = {
  resume: changing(null, 'resume', { initial: true }),
  create: changing('create', 'create'),
  update: changing('update', 'update'),
  delete: changing('delete', 'delete'),
  field: changing(null, 'field'),
  event,
  daemon,
  timer,
  startup: activity('startup'),
  cleanup: activity('cleanup'),
};
