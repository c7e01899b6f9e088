/**
 * Handler filters as Kopf's: labels, annotations (a value, PRESENT, ABSENT or a callback), field/value,
 * field change (old/new) for update and field handlers, and `when`; plus the combinators not_/all_/any_/
 * none_. Checked in Kopf's order, AND-ed. Used by src/handlers/causes.ts and the engine. No I/O.
 */
import { resolve } from '../model/dicts.ts';
import type { FieldPath } from '../model/dicts.ts';
import type { Body } from '../model/body.ts';

/** The key/field must be present. */
export const PRESENT = Symbol.for('kopf-ts.PRESENT');
/** The key/field must be absent. */
export const ABSENT = Symbol.for('kopf-ts.ABSENT');

/** A filter callback: gets the value (for labels/annotations/fields) and the cause kwargs. */
export type ValueCallback = (value: unknown, kwargs: any) => unknown;
/** A `when` callback. */
export type WhenCallback = (kwargs: any) => unknown;

/** A criterion for one label, annotation or field value. */
export type ValueCriterion = string | number | boolean | typeof PRESENT | typeof ABSENT | ValueCallback | Record<string, unknown> | unknown[];

/** Filters of a resource handler. */
export interface FilterOptions {
  labels?: Record<string, ValueCriterion>;
  annotations?: Record<string, ValueCriterion>;
  when?: WhenCallback;
  value?: ValueCriterion;
  old?: ValueCriterion;
  new?: ValueCriterion;
}

/** `not_(fn)`: the opposite of a `when` callback. */
export function not_(fn: WhenCallback): WhenCallback {
  return (kwargs) => !fn(kwargs);
}
/** `all_([fns])`: every callback is truthy. */
export function all_(fns: WhenCallback[]): WhenCallback {
  return (kwargs) => fns.every((fn) => fn(kwargs));
}
/** `any_([fns])`: some callback is truthy. */
export function any_(fns: WhenCallback[]): WhenCallback {
  return (kwargs) => fns.some((fn) => fn(kwargs));
}
/** `none_([fns])`: no callback is truthy. */
export function none_(fns: WhenCallback[]): WhenCallback {
  return (kwargs) => !fns.some((fn) => fn(kwargs));
}

/** Validates filter options at registration; throws with Kopf's wording. */
export function validateFilters(filters: FilterOptions, field: FieldPath | null): void {
  for (const [what, map] of [['labels', filters.labels], ['annotations', filters.annotations]] as const) {
    for (const [key, value] of Object.entries(map ?? {})) {
      if (value === null || value === undefined) {
        throw new TypeError(`${what}.${key} is ${String(value)}: use kopf.PRESENT or kopf.ABSENT to check for presence or absence.`);
      }
    }
  }
  const hasValue = filters.value !== undefined;
  const hasOldNew = filters.old !== undefined || filters.new !== undefined;
  if ((hasValue || hasOldNew) && !field) throw new TypeError('The value/old/new filters need a field: pass { field: "spec.x", … }.');
  if (hasValue && hasOldNew) throw new TypeError('Either value or old/new can be used as a field filter, not both.');
}

function matchValue(criterion: ValueCriterion | undefined, value: unknown, kwargs: Record<string, any>, absentAs: unknown): boolean {
  if (criterion === undefined) return true;
  if (criterion === PRESENT) return value !== undefined;
  if (criterion === ABSENT) return value === undefined;
  if (typeof criterion === 'function') return Boolean((criterion as ValueCallback)(value === undefined ? absentAs : value, kwargs));
  return value !== undefined && JSON.stringify(value) === JSON.stringify(criterion);
}

function matchMap(criteria: Record<string, ValueCriterion> | undefined, actual: Record<string, string> | undefined, kwargs: Record<string, any>): boolean {
  for (const [key, criterion] of Object.entries(criteria ?? {})) {
    const value = actual && Object.hasOwn(actual, key) ? actual[key] : undefined;
    if (!matchValue(criterion, value, kwargs, null)) return false;
  }
  return true;
}

/** What the filters look at. */
export interface FilterSubject {
  body: Body;
  /** Old and new essences (change causes) to check the field on both sides. */
  old?: unknown;
  new?: unknown;
  /** The cause kwargs for callbacks (built lazily by the caller). */
  kwargs: () => Record<string, any>;
}

/**
 * Whether a handler's filters match: labels, annotations, field/value (either side for change causes), the
 * field change for update/field handlers (unless `prematch`), then `when`.
 */
export function matchFilters(
  filters: FilterOptions,
  field: FieldPath | null,
  subject: FilterSubject,
  options: { fieldNeedsChange?: boolean; prematch?: boolean; changeCause?: boolean } = {},
): boolean {
  let cached: Record<string, any> | null = null;
  const kwargs = (): Record<string, any> => (cached ??= subject.kwargs());
  const meta = subject.body.metadata ?? {};
  if (filters.labels && !matchMap(filters.labels, meta.labels, kwargs())) return false;
  if (filters.annotations && !matchMap(filters.annotations, meta.annotations, kwargs())) return false;
  if (field) {
    const current = resolve(subject.body, field);
    const oldValue = options.changeCause ? resolve(subject.old, field) : undefined;
    const newValue = options.changeCause ? resolve(subject.new, field) : current;
    if (filters.value !== undefined) {
      const sides = options.changeCause ? [oldValue, newValue] : [current];
      if (!sides.some((v) => matchValue(filters.value, v, kwargs(), undefined))) return false;
    } else if (filters.old === undefined && filters.new === undefined) {
      if (options.changeCause ? oldValue === undefined && newValue === undefined : current === undefined) return false;
    }
    if (!options.prematch && options.changeCause) {
      if (options.fieldNeedsChange && JSON.stringify(oldValue) === JSON.stringify(newValue)) return false;
      if (!matchValue(filters.old, oldValue, kwargs(), undefined)) return false;
      if (!matchValue(filters.new, newValue, kwargs(), undefined)) return false;
    }
  }
  if (filters.when && !filters.when(kwargs())) return false;
  return true;
}
