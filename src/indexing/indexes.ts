/**
 * The indexes of one operator: one {@link IndexContents} per index handler id (pre-created empty at start,
 * as in Kopf), the `Index` kwargs every handler receives, the in-memory failure state of index handlers (per
 * index and object; successes leave none), and the readiness gate. Created by src/engine/operator.ts when
 * the registry has index handlers; filled by indexer.ts.
 */
import { IndexContents, type Index } from '../model/indexes.ts';
import { registerIndexSource } from '../execution/index-snapshots.ts';
import { IndexReadiness } from './readiness.ts';

/** Why an index handler is not called for an object now. */
export interface IndexFailure {
  /** Attempts made so far (the `retry` kwarg of the next one). */
  retries: number;
  /** When the first failed attempt started (ms). */
  started: number;
  /** Not before this time (ms): a temporary error's delay. */
  until: number;
  /** Failed for good: not called again for this object while the operator runs. */
  permanent: boolean;
}

/** All indexes of an operator. */
export class OperatorIndexes {
  readonly #contents = new Map<string, IndexContents>();
  readonly #failures = new Map<string, Map<string, IndexFailure>>();
  /** The indexes by id: what handlers get among their kwargs. */
  readonly kwargs: Readonly<Record<string, Index>>;
  readonly readiness = new IndexReadiness();

  constructor(ids: Iterable<string>) {
    const kwargs: Record<string, Index> = {};
    for (const id of ids) {
      const contents = new IndexContents();
      registerIndexSource(contents);
      this.#contents.set(id, contents);
      kwargs[id] = contents.index;
    }
    this.kwargs = Object.freeze(kwargs);
  }

  /** The contents of an index (created on first use for an id not known at start). */
  contents(id: string): IndexContents {
    let contents = this.#contents.get(id);
    if (!contents) {
      contents = new IndexContents();
      registerIndexSource(contents);
      this.#contents.set(id, contents);
    }
    return contents;
  }

  /** The failure state of an index handler for an object. */
  failure(id: string, objectKey: string): IndexFailure | undefined {
    return this.#failures.get(objectKey)?.get(id);
  }

  /** Sets (or, with `undefined`, clears) the failure state of an index handler for an object. */
  setFailure(id: string, objectKey: string, failure: IndexFailure | undefined): void {
    const byId = this.#failures.get(objectKey);
    if (failure) {
      if (byId) byId.set(id, failure);
      else this.#failures.set(objectKey, new Map([[id, failure]]));
    } else if (byId) {
      byId.delete(id);
      if (byId.size === 0) this.#failures.delete(objectKey);
    }
  }

  /** The object is gone: its values leave every index, and its failure state is forgotten. */
  forgetObject(objectKey: string): void {
    for (const contents of this.#contents.values()) contents.discard(objectKey);
    this.#failures.delete(objectKey);
  }
}
