/**
 * Indexes across the thread boundary: a sync handler on the pool gets every index as a read-only snapshot.
 * pool.ts takes the `Index` kwargs out of the kwargs and sends them as plain `[key, values[]]` data (each
 * snapshot cached until its index changes); worker.ts revives them as `Index`/`Store` objects under the same
 * kwarg names. Imports only src/model/indexes.ts.
 */
import { Index, IndexContents, type IndexSnapshot } from '../model/indexes.ts';

/** Snapshots of an index's contents, by the contents' version (a handler burst reuses one). */
const cache = new WeakMap<Index, { version: number; snapshot: IndexSnapshot }>();
/** The contents behind each index that the engine registered (the Index itself hides them). */
const sources = new WeakMap<Index, IndexContents>();

/** Tells this module where an index's contents are (called by src/indexing when it creates an index). */
export function registerIndexSource(contents: IndexContents): void {
  sources.set(contents.index, contents);
}

/** The snapshot of one index (cached while its contents do not change). */
export function snapshotIndex(index: Index): IndexSnapshot {
  const contents = sources.get(index);
  if (!contents) return { entries: index.toJSON() };
  const cached = cache.get(index);
  if (cached && cached.version === contents.version) return cached.snapshot;
  const snapshot = contents.snapshot();
  cache.set(index, { version: contents.version, snapshot });
  return snapshot;
}

/** Moves the `Index` values out of `kwargs` (in place) and returns their snapshots by kwarg name. */
export function takeIndexSnapshots(
  kwargs: Record<string, unknown>,
): Record<string, IndexSnapshot> | undefined {
  let out: Record<string, IndexSnapshot> | undefined;
  for (const [name, value] of Object.entries(kwargs)) {
    if (value instanceof Index) {
      (out ??= {})[name] = snapshotIndex(value);
      delete kwargs[name];
    }
  }
  return out;
}

/** The indexes rebuilt in a worker from their snapshots, by kwarg name. */
export function reviveIndexes(snapshots: Record<string, IndexSnapshot> | undefined): Record<string, Index> {
  const out: Record<string, Index> = {};
  for (const [name, snapshot] of Object.entries(snapshots ?? {}))
    out[name] = IndexContents.fromSnapshot(snapshot).index;
  return out;
}
