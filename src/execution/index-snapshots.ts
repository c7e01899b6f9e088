/**
 * Indexes across the thread boundary: a sync handler on the pool gets every index as a read-only snapshot.
 * pool.ts takes the `Index` kwargs out of the kwargs and sends each as bytes (the plain `[key, values[]]`
 * snapshot, serialized with v8's structured clone once per version of the index and cached); worker.ts
 * revives them as `Index`/`Store` objects under the same kwarg names, deserializing only a version it has not
 * revived yet. Imports src/model/indexes.ts and node:v8.
 */
import { deserialize, serialize } from 'node:v8';
import { Index, IndexContents, type IndexSnapshot } from '../model/indexes.ts';
import { findUncloneable } from './cloneable.ts';

/** One index on its way to a worker: which index, which version, and its snapshot as bytes. */
export interface IndexWire {
  source: string;
  version: number;
  bytes: Uint8Array;
}

/** The contents behind each index that the engine registered (the Index itself hides them), and a name. */
const sources = new WeakMap<Index, { contents: IndexContents; source: string }>();
/** The serialized snapshot of an index, by the contents' version (a burst of handler calls reuses one). */
const cache = new WeakMap<Index, IndexWire>();
let counter = 0;

/** Tells this module where an index's contents are (called by src/indexing when it creates an index). */
export function registerIndexSource(contents: IndexContents): void {
  sources.set(contents.index, { contents, source: `${process.pid}:${++counter}` });
}

function serialized(snapshot: IndexSnapshot, name: string): Uint8Array {
  try {
    return serialize(snapshot);
  } catch (err) {
    const problem = findUncloneable(snapshot.entries, `the index '${name}'`);
    throw new TypeError(`${problem ?? `the index '${name}' cannot be cloned (${(err as Error).message})`}`, {
      cause: err,
    });
  }
}

/** The wire form of one index (cached while its contents do not change). Throws a TypeError naming what cannot cross. */
export function snapshotIndex(index: Index, name: string): IndexWire {
  const known = sources.get(index);
  if (!known)
    return {
      source: `unregistered:${++counter}`,
      version: 0,
      bytes: serialized({ entries: index.toJSON() }, name),
    };
  const cached = cache.get(index);
  if (cached && cached.version === known.contents.version) return cached;
  const wire = {
    source: known.source,
    version: known.contents.version,
    bytes: serialized(known.contents.snapshot(), name),
  };
  cache.set(index, wire);
  return wire;
}

/** Moves the `Index` values out of `kwargs` (in place) and returns their wire forms by kwarg name. */
export function takeIndexSnapshots(kwargs: Record<string, unknown>): Record<string, IndexWire> | undefined {
  let out: Record<string, IndexWire> | undefined;
  for (const [name, value] of Object.entries(kwargs)) {
    if (value instanceof Index) {
      (out ??= {})[name] = snapshotIndex(value, name);
      delete kwargs[name];
    }
  }
  return out;
}

/** In a worker: the last revived version of each index. */
const revived = new Map<string, { version: number; index: Index }>();

/** The indexes rebuilt in a worker from their wire forms, by kwarg name (a version seen before is reused). */
export function reviveIndexes(wires: Record<string, IndexWire> | undefined): Record<string, Index> {
  const out: Record<string, Index> = {};
  for (const [name, wire] of Object.entries(wires ?? {})) {
    const known = revived.get(wire.source);
    if (known && known.version === wire.version) {
      out[name] = known.index;
      continue;
    }
    const index = IndexContents.fromSnapshot(deserialize(wire.bytes) as IndexSnapshot).index;
    revived.set(wire.source, { version: wire.version, index });
    out[name] = index;
  }
  return out;
}
