/**
 * Functional shorthands over Kopf's default progress storage (`SmartProgressStorage` of
 * src/model/progress-storages.ts) for a given prefix and V1 setting: annotations `{prefix}/{id}` (read and
 * written, V2 and V1 keys) and `status.kopf.progress.{id}` (read and purged, never written since Kopf 1.44).
 *
 * Used by the model tests and by code that wants Kopf's default storage without settings. Pure.
 */
import type { Body } from './body.ts';
import { storageKeys, type KeyOptions } from './annotations.ts';
import type { Patch } from './patch.ts';
import { storedForm, type ProgressRecord } from './progress.ts';
import { dumpsCompact } from './pyjson.ts';
import { SmartProgressStorage, purgeRecords, writeRecord, type OnMalformed } from './progress-storages.ts';

/** Options of the progress storage: key forming, and where to report unreadable records. */
export interface ProgressStorageOptions extends KeyOptions {
  /** Called for an annotation that is not a JSON object; the record then counts as absent. */
  onMalformed?: OnMalformed;
}

function smart(options: KeyOptions): SmartProgressStorage {
  return new SmartProgressStorage({
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(options.v1 !== undefined ? { v1: options.v1 } : {}),
  });
}

/** The annotation keys of a handler's record on `body` (V2 first, then V1 when enabled and different). */
export function progressKeys(id: string, body: Body | null | undefined, options: KeyOptions = {}): string[] {
  return storageKeys(id, body, options);
}

/** The annotation value of a record: compact JSON as Python writes it, fields in order, nulls omitted. */
export function encodeRecord(record: ProgressRecord): string {
  return dumpsCompact(storedForm(record));
}

/** The stored record of handler `id`: annotations first, then `status.kopf.progress[id]`, else `null`. */
export function fetchProgress(
  body: Body,
  id: string,
  options: ProgressStorageOptions = {},
): ProgressRecord | null {
  return smart(options).fetch({ key: id, body, onMalformed: options.onMalformed });
}

/** Writes the record into the patch under all its annotation keys (plus the `kopf-managed` marker if due). */
export function storeProgress(
  patch: Patch,
  body: Body,
  id: string,
  record: ProgressRecord,
  options: KeyOptions = {},
): void {
  smart(options).store({ key: id, record, body, patch });
}

/** Writes the record only when its stored form differs from `origin`, as Kopf does. Returns whether it wrote. */
export function writeProgress(
  patch: Patch,
  body: Body,
  id: string,
  record: ProgressRecord,
  origin: ProgressRecord | null,
  options: KeyOptions = {},
): boolean {
  return writeRecord(smart(options), { key: id, record, origin, body, patch });
}

/** Removes handler `id`'s record from annotations and `status.kopf.progress`. */
export function purgeProgress(patch: Patch, body: Body, id: string, options: KeyOptions = {}): void {
  smart(options).purge({ key: id, body, patch });
}

/** Purges the records of `handlerIds`, of every other handler in `records`, and of their sub-handlers. */
export function purgeProgressAll(
  patch: Patch,
  body: Body,
  handlerIds: Iterable<string>,
  records: Readonly<Record<string, ProgressRecord>>,
  options: KeyOptions = {},
): void {
  purgeRecords(smart(options), { body, patch, handlerIds, records });
}

/** Sets the touch-dummy annotation to `value` (`null` removes it) when the object's differs (Kopf's `touch`). */
export function touchProgress(
  patch: Patch,
  body: Body,
  value: string | null,
  options: KeyOptions = {},
): void {
  smart(options).touch({ body, patch, value });
}
