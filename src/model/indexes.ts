/**
 * Kopf's in-memory indexes as data: `Index` (read-only, keys → stores) and `Store` (a read-only collection of
 * the values objects contributed under one key), the mutable `IndexContents` behind them, and the plain-data
 * snapshot of an index that crosses to pool workers. Filled by src/indexing; snapshots made and revived by
 * src/execution/index-snapshots.ts; `Index`/`Store` exported by the front door. Pure data, no I/O.
 */

/** A key of an index: a string, number, boolean, null (Kopf's `None`), or an array of them (Kopf's tuples). */
export type IndexKey = string | number | boolean | null | readonly IndexKey[];

/**
 * Encodes a key for equality by value: `['ns', 'name']` finds what `['ns', 'name']` stored. `undefined`
 * counts as `null`. Throws a TypeError for anything else (functions, symbols, objects, non-finite numbers).
 */
export function encodeIndexKey(key: unknown): string {
  return JSON.stringify(checkKey(key === undefined ? null : key, 'the key'));
}

function checkKey(key: unknown, where: string): unknown {
  if (key === null || typeof key === 'string' || typeof key === 'boolean') return key;
  if (typeof key === 'number') {
    if (Number.isFinite(key)) return key;
  } else if (Array.isArray(key)) {
    key.forEach((item, i) => checkKey(item, `${where}[${i}]`));
    return key;
  }
  const shown =
    typeof key === 'function' ? 'a function' : typeof key === 'object' ? 'an object' : String(key);
  throw new TypeError(
    `An index key must be a string, number, boolean, null, or an array of them (for Kopf's tuples); ${where} is ${shown}.`,
  );
}

/** Kopf's `kopf.Store`: the values that objects put under one key. No order, no dedup; read-only. */
export class Store<V = unknown> implements Iterable<V> {
  readonly #values: ReadonlyMap<string, V>;

  /** @internal Made by the index; users only read it. */
  constructor(values: ReadonlyMap<string, V>) {
    this.#values = values;
  }

  /** How many values (Kopf: `len(store)`). */
  get size(): number {
    return this.#values.size;
  }

  /** The values (Kopf: `for value in store`). */
  [Symbol.iterator](): Iterator<V> {
    return this.#values.values();
  }

  /** The values, as an iterator. */
  values(): IterableIterator<V> {
    return this.#values.values();
  }

  /** Whether a value is in the store (`value in store`): `===`, or equal JSON for objects and arrays. */
  has(value: V): boolean {
    const json = typeof value === 'object' && value !== null ? JSON.stringify(value) : undefined;
    for (const v of this.#values.values()) {
      if (
        v === value ||
        (json !== undefined && typeof v === 'object' && v !== null && JSON.stringify(v) === json)
      )
        return true;
    }
    return false;
  }

  /** The values as an array. */
  toArray(): V[] {
    return [...this.#values.values()];
  }

  toJSON(): V[] {
    return this.toArray();
  }
}

interface Slot<V> {
  key: IndexKey;
  values: Map<string, V>;
  store: Store<V>;
}

/**
 * Kopf's `kopf.Index`: a read-only mapping of keys to {@link Store}s. `index.get(key)` is Kopf's `index[key]`
 * (`undefined` where Kopf raises KeyError), `index.has(key)` is `key in index`, `index.size` is `len(index)`;
 * iterating yields the keys, as iterating a Python mapping does; `entries()` is Kopf's `items()`. Keys are
 * compared by value, so array keys work as Kopf's tuples do.
 */
export class Index<K extends IndexKey = IndexKey, V = unknown> implements Iterable<K> {
  readonly #slots: ReadonlyMap<string, Slot<V>>;

  /** @internal Made by kopf-ts; users only read it. */
  constructor(slots: ReadonlyMap<string, Slot<V>>) {
    this.#slots = slots;
  }

  /** How many keys (Kopf: `len(index)`). */
  get size(): number {
    return this.#slots.size;
  }

  /** The store of a key (Kopf: `index[key]`), or `undefined` when no object put anything there. */
  get(key: K): Store<V> | undefined {
    return this.#slots.get(safeEncode(key))?.store;
  }

  /** Whether some object put a value under the key (Kopf: `key in index`). */
  has(key: K): boolean {
    return this.#slots.has(safeEncode(key));
  }

  /** The keys (Kopf: `for key in index`, `index.keys()`). */
  *keys(): IterableIterator<K> {
    for (const slot of this.#slots.values()) yield slot.key as K;
  }

  /** The stores (Kopf: `index.values()`). */
  *values(): IterableIterator<Store<V>> {
    for (const slot of this.#slots.values()) yield slot.store;
  }

  /** `[key, store]` pairs (Kopf: `index.items()`). */
  *entries(): IterableIterator<[K, Store<V>]> {
    for (const slot of this.#slots.values()) yield [slot.key as K, slot.store];
  }

  /** The keys, as iterating a Python mapping yields them. */
  [Symbol.iterator](): Iterator<K> {
    return this.keys();
  }

  /** `[key, values[]]` pairs: what `JSON.stringify(index)` shows. */
  toJSON(): [K, V[]][] {
    return [...this.entries()].map(([k, s]) => [k, s.toArray()]);
  }
}

function safeEncode(key: unknown): string {
  try {
    return encodeIndexKey(key);
  } catch {
    return '\u0000not a key';
  }
}

/** One index as plain data (structured-clone safe if its keys and values are): `[key, values[]]` pairs. */
export interface IndexSnapshot {
  entries: [IndexKey, unknown[]][];
}

/**
 * The mutable contents of one index: the slots by encoded key, and which keys each object (by its own key:
 * resource and uid) contributed to, so an object's update or removal touches only its own keys.
 */
export class IndexContents<V = unknown> {
  readonly #slots = new Map<string, Slot<V>>();
  readonly #byObject = new Map<string, Set<string>>();
  /** The read-only view handlers get. */
  readonly index: Index<IndexKey, V> = new Index(this.#slots);
  /** Bumped on every change (snapshots are cached by it). */
  version = 0;

  /** The object's values are now exactly these `[key, value]` pairs (its other keys are dropped). */
  replace(objectKey: string, pairs: Iterable<[IndexKey, V]>): void {
    const previous = this.#byObject.get(objectKey) ?? new Set<string>();
    const now = new Set<string>();
    for (const [key, value] of pairs) {
      const encoded = encodeIndexKey(key);
      let slot = this.#slots.get(encoded);
      if (!slot) {
        const values = new Map<string, V>();
        slot = { key: key ?? null, values, store: new Store(values) };
        this.#slots.set(encoded, slot);
      }
      slot.values.set(objectKey, value);
      now.add(encoded);
    }
    for (const encoded of previous) if (!now.has(encoded)) this.#drop(encoded, objectKey);
    if (now.size) this.#byObject.set(objectKey, now);
    else this.#byObject.delete(objectKey);
    this.version++;
  }

  /** Removes all values of the object. */
  discard(objectKey: string): void {
    const keys = this.#byObject.get(objectKey);
    if (!keys) return;
    for (const encoded of keys) this.#drop(encoded, objectKey);
    this.#byObject.delete(objectKey);
    this.version++;
  }

  #drop(encoded: string, objectKey: string): void {
    const slot = this.#slots.get(encoded);
    if (!slot) return;
    slot.values.delete(objectKey);
    if (slot.values.size === 0) this.#slots.delete(encoded);
  }

  /** The index as plain data. */
  snapshot(): IndexSnapshot {
    return { entries: [...this.#slots.values()].map((slot) => [slot.key, [...slot.values.values()]]) };
  }

  /** Contents rebuilt from a snapshot (in a pool worker): read-only in spirit, the origin stays in main. */
  static fromSnapshot<V>(snapshot: IndexSnapshot): IndexContents<V> {
    const contents = new IndexContents<V>();
    snapshot.entries.forEach(([key, values], i) => {
      const encoded = encodeIndexKey(key);
      const map = new Map<string, V>(values.map((v, j) => [`${i}:${j}`, v as V]));
      contents.#slots.set(encoded, { key, values: map, store: new Store(map) });
    });
    return contents;
  }
}

/**
 * What an index handler's result means (Kopf §11): a `Map` or a plain object is a mapping of keys to values;
 * `null`/`undefined` changes nothing (`null` returned: the object's values are kept); anything else is one value
 * under the `null` key. Returns the pairs, or `null` for "change nothing".
 */
export function indexPairs(result: unknown): [IndexKey, unknown][] | null {
  if (result === null || result === undefined) return null;
  if (result instanceof Map)
    return [...result.entries()].map(([k, v]) => [
      checkKey(k === undefined ? null : k, 'a key') as IndexKey,
      v,
    ]);
  if (typeof result === 'object' && !Array.isArray(result)) {
    const proto = Object.getPrototypeOf(result) as unknown;
    if (proto === Object.prototype || proto === null) return Object.entries(result);
  }
  return [[null, result]];
}
