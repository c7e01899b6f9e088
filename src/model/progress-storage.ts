/**
 * Where progress records live on the object, as Kopf's default `SmartProgressStorage`: annotations
 * `{prefix}/{id}` (read and written, V2 and V1 keys) and `status.kopf.progress.{id}` (read and purged, never
 * written since Kopf 1.44). Annotations win when both exist.
 *
 * Used by the engine to load the progress of the due handlers, to write changed records into the reaction's
 * patch, and to purge them when the cause is done. Pure; reads bodies, fills patches.
 */
import { isPlainObject, type Body } from './body.ts';
import { deepEqual, ensure, remove, resolve } from './dicts.ts';
import {
  DEFAULT_PREFIX,
  STATUS_PROGRESS_FIELD,
  TOUCH_NAME,
  storageKeys,
  storeMarker,
  type KeyOptions,
} from './annotations.ts';
import type { Patch } from './patch.ts';
import { storedForm, type ProgressRecord } from './progress.ts';
import { dumpsCompact } from './pyjson.ts';

/** Options of the progress storage: key forming, and where to report unreadable records. */
export interface ProgressStorageOptions extends KeyOptions {
  /** Called for an annotation that is not a JSON object; the record then counts as absent. */
  onMalformed?: (key: string, error: Error) => void;
}

/** The annotation keys of a handler's record on `body` (V2 first, then V1 when enabled and different). */
export function progressKeys(id: string, body: Body | null | undefined, options: KeyOptions = {}): string[] {
  return storageKeys(id, body, options);
}

/** The annotation value of a record: compact JSON as Python writes it, fields in order, nulls omitted. */
export function encodeRecord(record: ProgressRecord): string {
  return dumpsCompact(storedForm(record));
}

/**
 * The stored record of handler `id`, as found (not normalised): the first annotation key holding a JSON
 * object, else `status.kopf.progress[id]` when that is an object, else `null`.
 */
export function fetchProgress(
  body: Body,
  id: string,
  options: ProgressStorageOptions = {},
): ProgressRecord | null {
  const annotations = body.metadata?.annotations ?? {};
  for (const key of progressKeys(id, body, options)) {
    const encoded = annotations[key];
    if (encoded === undefined || encoded === null) continue;
    let decoded: unknown;
    try {
      decoded = JSON.parse(encoded);
    } catch (error) {
      options.onMalformed?.(key, error as Error);
      continue;
    }
    if (decoded === null) continue;
    if (isPlainObject(decoded)) return decoded as ProgressRecord;
    options.onMalformed?.(
      key,
      new Error(`The progress record is not a JSON object: ${encoded.slice(0, 100)}`),
    );
  }
  const container = resolve(body, STATUS_PROGRESS_FIELD);
  const record = isPlainObject(container) && Object.hasOwn(container, id) ? container[id] : undefined;
  return isPlainObject(record) ? (record as ProgressRecord) : null;
}

/** Writes the record into the patch under all its annotation keys (plus the `kopf-managed` marker if due). */
export function storeProgress(
  patch: Patch,
  body: Body,
  id: string,
  record: ProgressRecord,
  options: KeyOptions = {},
): void {
  const encoded = encodeRecord(record);
  for (const key of progressKeys(id, body, options)) patch.metadata.annotations[key] = encoded;
  storeMarker(patch, body, options.prefix ?? DEFAULT_PREFIX);
}

/**
 * Writes the record only when its stored form differs from `origin` (the record as fetched, or null when
 * there was none), as Kopf does. Returns whether it wrote.
 */
export function writeProgress(
  patch: Patch,
  body: Body,
  id: string,
  record: ProgressRecord,
  origin: ProgressRecord | null,
  options: KeyOptions = {},
): boolean {
  if (origin !== null && deepEqual(storedForm(record), origin)) return false;
  storeProgress(patch, body, id, record, options);
  return true;
}

/**
 * Removes handler `id`'s record: every key present on the object (annotations, `status.kopf.progress`) is set
 * to `null` in the patch; a key only just added to the patch is dropped from it instead.
 */
export function purgeProgress(patch: Patch, body: Body, id: string, options: KeyOptions = {}): void {
  const annotations = body.metadata?.annotations ?? {};
  for (const key of progressKeys(id, body, options)) {
    if (Object.hasOwn(annotations, key)) patch.metadata.annotations[key] = null;
    else delete patch.metadata.annotations[key];
  }
  const statusField = [...STATUS_PROGRESS_FIELD, id];
  if (resolve(body, statusField) !== undefined) ensure(patch, statusField, null);
  else remove(patch.status, statusField.slice(1)); // keeps the pre-made `patch.status` itself
}

/**
 * Purges as Kopf's `State.purge`: the records of `handlerIds`, of every other handler in `records` (e.g. from
 * an older cause), and of all their sub-handlers (`subrefs`).
 */
export function purgeProgressAll(
  patch: Patch,
  body: Body,
  handlerIds: Iterable<string>,
  records: Readonly<Record<string, ProgressRecord>>,
  options: KeyOptions = {},
): void {
  const ids = new Set(handlerIds);
  for (const id of ids) purgeProgress(patch, body, id, options);
  for (const [id, record] of Object.entries(records)) {
    if (!ids.has(id)) purgeProgress(patch, body, id, options);
    for (const subref of record.subrefs ?? []) purgeProgress(patch, body, subref, options);
  }
}

/**
 * Sets the touch-dummy annotation to `value` (`null` removes it) when the object's differs, to provoke a new
 * watch event (Kopf's `touch`). The engine removes it (`null`) whenever it sends a patch anyway.
 */
export function touchProgress(
  patch: Patch,
  body: Body,
  value: string | null,
  options: KeyOptions = {},
): void {
  const annotations = body.metadata?.annotations ?? {};
  for (const key of storageKeys(TOUCH_NAME, body, options)) {
    if ((annotations[key] ?? null) !== value) {
      patch.metadata.annotations[key] = value;
      storeMarker(patch, body, options.prefix ?? DEFAULT_PREFIX);
    }
  }
}
