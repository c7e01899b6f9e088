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
import type { ChangingHandler, ChangingReason, EventHandler, ActivityHandler, HandlerFn, BaseOptions } from './handlers/handler.ts';
import type { ChangingKwargs, EventKwargs, ActivityKwargs } from './handlers/kwargs.ts';

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

type Fn<K> = (kwargs: K) => unknown;

function isAsync(fn: HandlerFn): boolean {
  return fn.constructor?.name === 'AsyncFunction' || fn.constructor?.name === 'AsyncGeneratorFunction';
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
      fn: fn as HandlerFn,
      isAsync: isAsync(fn as HandlerFn),
      offload: options.offload ?? true,
      param: options.param ?? null,
      errors: (options.errors ?? 'temporary') as ErrorsMode,
      timeout: options.timeout ?? null,
      retries: options.retries ?? null,
      backoff: options.backoff ?? null,
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
      fn: fn as HandlerFn,
      isAsync: isAsync(fn as HandlerFn),
      offload: options.offload ?? false,
      param: options.param ?? null,
      errors: options.errors ?? 'temporary',
      timeout: options.timeout ?? null,
      retries: options.retries ?? null,
      backoff: options.backoff ?? null,
    };
    getDefaultRegistry().add(handler);
    return fn;
  };
}

/** `kopf.on.*`: register handlers. */
export const on = {
  resume: changing(null, 'resume', { initial: true }),
  create: changing('create', 'create'),
  update: changing('update', 'update'),
  delete: changing('delete', 'delete'),
  field: changing(null, 'field'),
  event,
  startup: activity('startup'),
  cleanup: activity('cleanup'),
};
