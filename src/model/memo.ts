/**
 * `kopf.Memo`: a plain object for runtime-only state (clients, locks, caches) shared by handlers. The
 * operator-wide memo goes to activities; each object gets a shallow copy of it when first seen (Kopf's
 * `copy.copy(memo)`), shared by all of that object's handlers, daemons and timers until it is deleted.
 *
 * Created by the engine (or given to `kopf.run({ memo })`); users import the class from the front door.
 * Never persisted, and it cannot cross into pool workers (they get no memo). Pure.
 */

/** A memo: set any property (`memo.client = …`). `copy()` is a method on the prototype, not a key. */
export class Memo {
  // Any value (a client, a lock, a cache), as Kopf's `kopf.Memo`: handlers use it without casts.
  [key: string]: any;

  /** A memo holding `init`'s own enumerable properties. */
  constructor(init: Record<string, unknown> = {}) {
    Object.assign(this, init);
  }

  /** A shallow copy: new top-level keys do not propagate; the values (objects, locks) are shared. */
  copy(): Memo {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as Memo;
    return Object.assign(copy, this);
  }
}

/**
 * The per-object copy of an operator memo: `memo.copy()` when the memo has a `copy` method (a custom one
 * returning `this` makes one global memo, like a Python `__copy__` returning self), else a shallow copy
 * with the same prototype.
 */
export function copyMemo<T extends object>(memo: T): T {
  const copy = (memo as { copy?: unknown }).copy;
  if (typeof copy === 'function') return copy.call(memo) as T;
  return Object.assign(Object.create(Object.getPrototypeOf(memo) as object) as T, memo);
}
