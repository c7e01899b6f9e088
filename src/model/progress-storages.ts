/**
 * Kopf's progress storage classes (`_cogs/configs/progress.py`) as values users choose in
 * `settings.persistence.progressStorage`: `AnnotationsProgressStorage`, `StatusProgressStorage`,
 * `MultiProgressStorage` and `SmartProgressStorage` (Kopf's default), plus the `ProgressStorage` base class for
 * custom ones. Same keys, same JSON, same field paths as Kopf, so either reads what the other wrote.
 *
 * Exported by the front door (src/index.ts); resolved by src/model/storages.ts and used by the engine's
 * reactions (src/engine/reaction.ts, resource-services.ts) through {@link writeRecord} and {@link purgeRecords}.
 * Pure; reads bodies, fills patches.
 */
import { isPlainObject, type Body, type JsonObject } from './body.ts';
import {
  deepCopy,
  deepEqual,
  ensure,
  parseField,
  remove,
  resolve,
  type FieldPath,
  type FieldSpec,
} from './dicts.ts';
import { DEFAULT_PREFIX, TOUCH_NAME, storageKeys, storeMarker } from './annotations.ts';
import { clearEssence, removeEmptyStanzas } from './essence.ts';
import { revivePatch, type Patch } from './patch.ts';
import { RECORD_FIELDS, storedForm, type ProgressRecord } from './progress.ts';
import { dumpsCompact } from './pyjson.ts';

/** Reports a stored record that cannot be read (it then counts as absent). */
export type OnMalformed = (key: string, error: Error) => void;

/** Where handlers' progress records live on an object: Kopf's `ProgressStorage`. Subclass it for a custom one. */
export abstract class ProgressStorage {
  /** The stored record of handler `key`, or null. */
  abstract fetch(args: {
    key: string;
    body: Body;
    onMalformed?: OnMalformed | undefined;
  }): ProgressRecord | null;
  /** Puts the record (all fields, `null` for the absent ones) into the patch. */
  abstract store(args: { key: string; record: ProgressRecord; body: Body; patch: Patch }): void;
  /** Removes handler `key`'s record: `null` for what the object has, dropped from the patch otherwise. */
  abstract purge(args: { key: string; body: Body; patch: Patch }): void;
  /** Sets (or with `null` removes) a dummy value, to provoke a new watch event. */
  abstract touch(args: { body: Body; patch: Patch; value: string | null }): void;
  /** The essence without this storage's own traces (so they never count as changes). */
  clear(args: { essence: JsonObject }): JsonObject {
    return deepCopy(args.essence);
  }
}

/** Options of {@link AnnotationsProgressStorage}. */
export interface AnnotationsProgressStorageOptions {
  /** Default `kopf.zalando.org`. */
  prefix?: string;
  /** Write `null` fields into the JSON too (default false). */
  verbose?: boolean;
  /** The touch annotation's name under the prefix (default `touch-dummy`). */
  touchKey?: string;
  /** Also write Kopf's V1 keys (default true, as in Kopf). */
  v1?: boolean;
}

/** Records as JSON in annotations `{prefix}/{handler id}` (V2 and V1 keys). */
export class AnnotationsProgressStorage extends ProgressStorage {
  prefix: string;
  verbose: boolean;
  touchKey: string;
  v1: boolean;

  constructor(options: AnnotationsProgressStorageOptions = {}) {
    super();
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.verbose = options.verbose ?? false;
    this.touchKey = options.touchKey ?? TOUCH_NAME;
    this.v1 = options.v1 ?? true;
  }

  /** The annotation keys of `key` on `body` (V2 first, then V1 when enabled and different). */
  makeKeys(key: string, body?: Body | null): string[] {
    return storageKeys(key, body, { prefix: this.prefix, v1: this.v1 });
  }

  fetch({
    key,
    body,
    onMalformed,
  }: {
    key: string;
    body: Body;
    onMalformed?: OnMalformed | undefined;
  }): ProgressRecord | null {
    const annotations = body.metadata?.annotations ?? {};
    for (const full of this.makeKeys(key, body)) {
      const encoded = annotations[full];
      if (encoded === undefined || encoded === null) continue;
      let decoded: unknown;
      try {
        decoded = JSON.parse(encoded);
      } catch (error) {
        onMalformed?.(full, error as Error);
        continue;
      }
      if (decoded === null) continue;
      if (isPlainObject(decoded)) return decoded as ProgressRecord;
      onMalformed?.(full, new Error(`The progress record is not a JSON object: ${encoded.slice(0, 100)}`));
    }
    return null;
  }

  store({
    key,
    record,
    body,
    patch,
  }: {
    key: string;
    record: ProgressRecord;
    body: Body;
    patch: Patch;
  }): void {
    const encoded = dumpsCompact(this.verbose ? fullForm(record) : storedForm(record));
    for (const full of this.makeKeys(key, body)) patch.metadata.annotations[full] = encoded;
    storeMarker(patch, body, this.prefix);
  }

  purge({ key, body, patch }: { key: string; body: Body; patch: Patch }): void {
    const annotations = body.metadata?.annotations ?? {};
    for (const full of this.makeKeys(key, body)) {
      if (Object.hasOwn(annotations, full)) patch.metadata.annotations[full] = null;
      else delete patch.metadata.annotations[full];
    }
  }

  touch({ body, patch, value }: { body: Body; patch: Patch; value: string | null }): void {
    const annotations = body.metadata?.annotations ?? {};
    for (const full of this.makeKeys(this.touchKey, body)) {
      if ((annotations[full] ?? null) !== value) {
        patch.metadata.annotations[full] = value;
        storeMarker(patch, body, this.prefix);
      }
    }
  }

  override clear({ essence }: { essence: JsonObject }): JsonObject {
    return clearEssence(essence, { prefix: this.prefix, statusProgress: false });
  }
}

/** Options of {@link StatusProgressStorage}. `{name}` in the fields is replaced by `name`. */
export interface StatusProgressStorageOptions {
  /** Default `kopf`. */
  name?: string;
  /** Default `status.{name}.progress`. */
  field?: FieldSpec;
  /** Default `status.{name}.dummy`. */
  touchField?: FieldSpec;
}

/** Records as objects under a status field (default `status.kopf.progress.{handler id}`). */
export class StatusProgressStorage extends ProgressStorage {
  readonly name: string;
  field: FieldPath;
  touchField: FieldPath;

  constructor(options: StatusProgressStorageOptions = {}) {
    super();
    this.name = options.name ?? 'kopf';
    this.field = namedField(options.field ?? 'status.{name}.progress', this.name, 'field');
    this.touchField = namedField(options.touchField ?? 'status.{name}.dummy', this.name, 'touchField');
  }

  fetch({ key, body }: { key: string; body: Body }): ProgressRecord | null {
    const container = resolve(body, this.field);
    const record = isPlainObject(container) && Object.hasOwn(container, key) ? container[key] : undefined;
    return isPlainObject(record) ? (record as ProgressRecord) : null;
  }

  store({ key, record, patch }: { key: string; record: ProgressRecord; body: Body; patch: Patch }): void {
    ensure(patch, [...this.field, key], fullForm(record));
  }

  purge({ key, body, patch }: { key: string; body: Body; patch: Patch }): void {
    const field = [...this.field, key];
    if (resolve(body, field) !== undefined) ensure(patch, field, null);
    else if (resolve(patch, field) !== undefined) {
      remove(patch, field);
      revivePatch(patch); // keeps the pre-made `patch.status` for whoever writes next
    }
  }

  touch({ body, patch, value }: { body: Body; patch: Patch; value: string | null }): void {
    if ((resolve(body, this.touchField) ?? null) !== value) ensure(patch, this.touchField, value);
  }

  override clear({ essence }: { essence: JsonObject }): JsonObject {
    const result = deepCopy(essence) as Record<string, unknown>;
    remove(result, this.field);
    removeEmptyStanzas(result);
    return result as JsonObject;
  }
}

/** Kopf's read-only status storage: still read and purged (records of older Kopf), never written. */
export class NoWriteStatusProgressStorage extends StatusProgressStorage {
  override store(): void {}
  override touch(): void {}
}

/** Several storages: read from the first that has a record, written to and purged from all. */
export class MultiProgressStorage extends ProgressStorage {
  storages: ProgressStorage[];

  constructor(storages: Iterable<ProgressStorage>) {
    super();
    this.storages = [...storages];
    for (const storage of this.storages) {
      if (!(storage instanceof ProgressStorage))
        throw new TypeError(`MultiProgressStorage takes progress storages; got ${describe(storage)}`);
    }
  }

  fetch(args: { key: string; body: Body; onMalformed?: OnMalformed | undefined }): ProgressRecord | null {
    for (const storage of this.storages) {
      const found = storage.fetch(args);
      if (found !== null) return found;
    }
    return null;
  }

  store(args: { key: string; record: ProgressRecord; body: Body; patch: Patch }): void {
    for (const storage of this.storages) storage.store(args);
  }

  purge(args: { key: string; body: Body; patch: Patch }): void {
    for (const storage of this.storages) storage.purge(args);
  }

  touch(args: { body: Body; patch: Patch; value: string | null }): void {
    for (const storage of this.storages) storage.touch(args);
  }

  override clear({ essence }: { essence: JsonObject }): JsonObject {
    let result = essence;
    for (const storage of this.storages) result = storage.clear({ essence: result });
    return result;
  }
}

/** Options of {@link SmartProgressStorage}: those of both storages it combines. */
export interface SmartProgressStorageOptions
  extends AnnotationsProgressStorageOptions, StatusProgressStorageOptions {}

/**
 * Kopf's default: annotations (read and written) plus `status.kopf.progress` (read and purged, never
 * written since Kopf 1.44). Annotations win when both exist.
 */
export class SmartProgressStorage extends MultiProgressStorage {
  constructor(options: SmartProgressStorageOptions = {}) {
    super([
      new AnnotationsProgressStorage(options),
      new NoWriteStatusProgressStorage({
        name: options.name,
        field: options.field,
        touchField: options.touchField,
      }),
    ]);
  }
}

/**
 * Writes the record only when its stored form differs from `origin` (the record as fetched, or null when
 * there was none), as Kopf does. Returns whether it wrote.
 */
export function writeRecord(
  storage: ProgressStorage,
  args: { key: string; record: ProgressRecord; origin: ProgressRecord | null; body: Body; patch: Patch },
): boolean {
  if (args.origin !== null && deepEqual(storedForm(args.record), args.origin)) return false;
  storage.store(args);
  return true;
}

/**
 * Purges as Kopf's `State.purge`: the records of `handlerIds`, of every other handler in `records` (e.g. from
 * an older cause), and of all their sub-handlers (`subrefs`).
 */
export function purgeRecords(
  storage: ProgressStorage,
  args: {
    body: Body;
    patch: Patch;
    handlerIds: Iterable<string>;
    records: Readonly<Record<string, ProgressRecord>>;
  },
): void {
  const { body, patch } = args;
  const ids = new Set(args.handlerIds);
  for (const key of ids) storage.purge({ key, body, patch });
  for (const [key, record] of Object.entries(args.records)) {
    if (!ids.has(key)) storage.purge({ key, body, patch });
    for (const subref of record.subrefs ?? []) storage.purge({ key: subref, body, patch });
  }
}

/** The record with every field, `null` for the absent ones, in Kopf's order (its `for_storage()`). */
export function fullForm(record: ProgressRecord): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) result[field] = record[field] ?? null;
  if (Array.isArray(result['subrefs']) && result['subrefs'].length === 0) result['subrefs'] = null;
  return result;
}

/** A storage's field with `{name}` filled in; a clear error for anything but a dotted string or a path. */
export function namedField(field: FieldSpec, name: string, option: string): FieldPath {
  if (typeof field === 'string') return parseField(field.replaceAll('{name}', name));
  if (Array.isArray(field) && field.every((part) => typeof part === 'string') && field.length > 0)
    return parseField(field);
  throw new TypeError(
    `The storage's ${option} must be a dotted string or an array of strings; got ${describe(field)}`,
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return JSON.stringify(value);
}
