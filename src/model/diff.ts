/**
 * Kopf's diffs (`_cogs/structs/diffs.py`): the changes between two essences as `(op, path, old, new)` items,
 * and their reduction to one field for field handlers.
 *
 * Used by the engine to detect changes (cause detection: an empty diff means nothing changed), by
 * src/handlers to give `diff`/`old`/`new` to update and field handlers. Pure; imports only src/model.
 */
import { isPlainObject } from './body.ts';
import { deepEqual, parseField, resolve, type FieldPath, type FieldSpec } from './dicts.ts';

/** `'add'` when the old side is absent, `'remove'` when the new side is absent, `'change'` otherwise. */
export type DiffOperation = 'add' | 'change' | 'remove';

/**
 * One change: the operation, the path of the changed field (`[]` for the root), the old and the new value.
 * An absent side is `null` (Kopf's `None`), never `undefined`, so diffs survive JSON and structured clone.
 */
export type DiffItem = readonly [operation: DiffOperation, field: FieldPath, old: unknown, new: unknown];

/** A sequence of changes; empty when nothing changed. */
export type Diff = readonly DiffItem[];

/** The empty diff. */
export const EMPTY_DIFF: Diff = Object.freeze([]);

/**
 * The diff from `a` to `b`, as Kopf computes it:
 * - equal values (deep) give nothing; `null` and `undefined` both mean "absent";
 * - an absent old side is an `add`, an absent new side a `remove`;
 * - two plain objects are recursed into key by key (added keys in `b`'s order, then removed keys in `a`'s
 *   order, then common keys in `a`'s order; Kopf's own order is that of Python sets, i.e. arbitrary);
 * - anything else (lists included: they are compared wholesale) is one `change`.
 * `path` prefixes every item's field (`[]` by default).
 */
export function diff(a: unknown, b: unknown, path: FieldPath = []): Diff {
  const items: DiffItem[] = [];
  collect(a, b, [...path], items);
  return items;
}

function collect(a: unknown, b: unknown, path: string[], items: DiffItem[]): void {
  const old = a === undefined ? null : a;
  const now = b === undefined ? null : b;
  if (deepEqual(old, now)) return;
  if (old === null) {
    items.push(['add', path, null, now]);
  } else if (now === null) {
    items.push(['remove', path, old, null]);
  } else if (isPlainObject(old) && isPlainObject(now)) {
    for (const key of Object.keys(now)) {
      if (!Object.hasOwn(old, key)) collect(null, now[key], [...path, key], items);
    }
    for (const key of Object.keys(old)) {
      if (!Object.hasOwn(now, key)) collect(old[key], null, [...path, key], items);
    }
    for (const key of Object.keys(old)) {
      if (Object.hasOwn(now, key)) collect(old[key], now[key], [...path, key], items);
    }
  } else {
    items.push(['change', path, old, now]);
  }
}

/**
 * The diff as seen from inside `field` (Kopf's `diffs.reduce`), for field handlers:
 * - items under the field are kept with their paths made relative to it;
 * - an item for a parent of the field (e.g. the whole `spec` added or removed) is replaced by a new diff
 *   of the field's old and new values resolved inside that item's old and new values;
 * - other items are dropped. The root field keeps the diff as it is.
 */
export function reduceDiff(d: Diff, field: FieldSpec): Diff {
  const path = parseField(field);
  if (path.length === 0) return d.map(([op, f, old, now]) => [op, [...f], old, now] as const);
  const items: DiffItem[] = [];
  for (const [op, f, old, now] of d) {
    if (startsWith(f, path)) {
      items.push([op, f.slice(path.length), old, now]);
    } else if (startsWith(path, f)) {
      const tail = path.slice(f.length);
      items.push(...diff(resolve(old, tail) ?? null, resolve(now, tail) ?? null));
    }
  }
  return items;
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
}
