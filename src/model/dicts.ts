/**
 * Field paths and nested access to plain JSON objects, as Kopf's `_cogs/structs/dicts.py`: parse a field spec,
 * resolve a field with "non-mapping intermediates count as absent", ensure (force-set) and remove fields, plus
 * deep equality and deep copies of JSON data.
 *
 * Used by the rest of src/model (diffs, essence, patches, progress), by src/handlers for `field=`/`value=`
 * filters and by the engine. Pure functions; imports only src/model.
 */
import { isPlainObject } from './body.ts';

/** A field as a path of keys: `['spec', 'field']`; `[]` is the root. */
export type FieldPath = readonly string[];

/** A field as users write it: `'spec.field'`, `['spec', 'field']`, or null/undefined for the root. */
export type FieldSpec = string | readonly string[] | null | undefined;

/**
 * Parses a field spec into a path: a string is split on dots, an array is taken as-is (copied), null or
 * undefined is the root (`[]`). Anything else throws a TypeError (as Kopf's `parse_field`).
 */
export function parseField(field: FieldSpec): FieldPath {
  if (field === null || field === undefined) return [];
  if (typeof field === 'string') return field.split('.');
  if (Array.isArray(field)) return [...(field as readonly string[])];
  throw new TypeError(`A field must be a string or an array of strings; got ${JSON.stringify(field)}`);
}

/**
 * The value at `field` inside `obj`, or `undefined` when it is absent.
 *
 * `undefined` is THE absence marker of kopf-ts: JSON never holds `undefined`, so a present `null` stays `null`.
 * Non-mapping intermediates (strings, numbers, arrays, null) count as absent, as in Kopf's
 * `dicts.resolve(…, default=…)`: `resolve({spec: 'x'}, 'spec.field')` is `undefined`. The root path returns
 * `obj` itself.
 */
export function resolve(obj: unknown, field: FieldSpec): unknown {
  let current: unknown = obj;
  for (const key of parseField(field)) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** True when `field` is present in `obj` (even if its value is `null`); see {@link resolve}. */
export function hasField(obj: unknown, field: FieldSpec): boolean {
  return resolve(obj, field) !== undefined;
}

/**
 * Force-sets `field` in `obj` to `value`, creating missing parents as `{}` (Kopf's `dicts.ensure`).
 * A parent that exists but is not a plain object (e.g. `null` in a patch) is replaced with `{}`.
 * Setting the root throws.
 */
export function ensure(obj: Record<string, unknown>, field: FieldSpec, value: unknown): void {
  const path = parseField(field);
  if (path.length === 0) throw new Error('Setting the root of an object is impossible; name a field.');
  let current = obj;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    }
  }
  current[path[path.length - 1]!] = value;
}

/**
 * Removes `field` from `obj` and then every parent that became `{}` because of it (Kopf's `dicts.remove`).
 * An absent field or parent is not an error. Removing the root throws.
 */
export function remove(obj: Record<string, unknown>, field: FieldSpec): void {
  const path = parseField(field);
  if (path.length === 0) throw new Error('Removing the root of an object is impossible; name a field.');
  removePath(obj, path);
}

function removePath(obj: Record<string, unknown>, path: FieldPath): void {
  const [head, ...tail] = path as [string, ...string[]];
  if (!Object.hasOwn(obj, head)) return;
  if (tail.length === 0) {
    delete obj[head];
    return;
  }
  const child = obj[head];
  if (!isPlainObject(child)) return;
  removePath(child, tail);
  if (Object.keys(child).length === 0) delete obj[head];
}

/**
 * Copies each of `fields` from `src` into `dst` (deep copies), skipping fields absent in `src`
 * (Kopf's `dicts.cherrypick`, but a non-mapping intermediate counts as absent instead of raising).
 */
export function cherrypick(src: unknown, dst: Record<string, unknown>, fields: Iterable<FieldSpec>): void {
  for (const field of fields) {
    const value = resolve(src, field);
    if (value !== undefined) ensure(dst, field, deepCopy(value));
  }
}

/**
 * Deep equality of JSON data: objects by keys regardless of their order, arrays by position, primitives by
 * `===`. Object keys whose value is `undefined` are ignored (JSON would drop them).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const aKeys = Object.keys(a).filter((key) => a[key] !== undefined);
    const bKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    return aKeys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** A deep copy of JSON data (plain objects, arrays, primitives); keeps the key order. */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => deepCopy(item)) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = deepCopy(item);
    return copy as T;
  }
  return value;
}
