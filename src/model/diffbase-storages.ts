/**
 * Kopf's diff-base storage classes (`_cogs/configs/diffbase.py`) as values users choose in
 * `settings.persistence.diffbaseStorage`: `AnnotationsDiffBaseStorage` (Kopf's default), `StatusDiffBaseStorage`
 * and `MultiDiffBaseStorage`, plus the `DiffBaseStorage` base class for custom ones. Each builds the essence of a
 * body (minus its `ignoredFields`), fetches the last handled essence and stores a new one, in Kopf's formats.
 *
 * Exported by the front door (src/index.ts); resolved by src/model/storages.ts and used by the engine
 * (src/engine/change-state.ts, reaction.ts). Pure.
 */
import { isPlainObject, type Body, type JsonObject } from './body.ts';
import { ensure, parseField, remove, resolve, type FieldPath, type FieldSpec } from './dicts.ts';
import { DEFAULT_PREFIX, DIFF_BASE_NAME, storageKeys, storeMarker } from './annotations.ts';
import { baseEssence, encodeDiffBase, removeEmptyStanzas } from './essence.ts';
import type { Patch } from './patch.ts';
import { dumpsCompact } from './pyjson.ts';
import { namedField, type OnMalformed } from './progress-storages.ts';

/** Options common to the diff-base storages. */
export interface DiffBaseStorageOptions {
  /** Fields never part of the essence: their changes are not changes (Kopf's `ignored_fields`). */
  ignoredFields?: Iterable<FieldSpec>;
}

/** Where the last handled essence lives: Kopf's `DiffBaseStorage`. Subclass it for a custom one. */
export abstract class DiffBaseStorage {
  ignoredFields: FieldPath[];

  constructor(options: DiffBaseStorageOptions = {}) {
    this.ignoredFields = [...(options.ignoredFields ?? [])].map((field) => {
      const path = parseField(field);
      if (path.length === 0)
        throw new TypeError('ignoredFields: a field must name something (not the whole object).');
      return path;
    });
  }

  /** The essence of `body` (what counts as a change), with the extra fields of the handlers re-added. */
  build({ body, extraFields }: { body: Body; extraFields?: Iterable<FieldSpec> | undefined }): JsonObject {
    return baseEssence(body, { extraFields: extraFields ?? [], ignoredFields: this.ignoredFields });
  }

  /** The last handled essence stored on `body`, or null. */
  abstract fetch(args: { body: Body; onMalformed?: OnMalformed | undefined }): JsonObject | null;
  /** Puts the essence into the patch. */
  abstract store(args: { body: Body; patch: Patch; essence: JsonObject }): void;
}

/** Options of {@link AnnotationsDiffBaseStorage}. */
export interface AnnotationsDiffBaseStorageOptions extends DiffBaseStorageOptions {
  /** Default `kopf.zalando.org`. */
  prefix?: string;
  /** The annotation's name under the prefix (default `last-handled-configuration`). */
  key?: string;
  /** Also write Kopf's V1 key (default true, as in Kopf). */
  v1?: boolean;
}

/** The essence as compact JSON (plus `"\n"`) in the annotation `{prefix}/{key}`. Kopf's default. */
export class AnnotationsDiffBaseStorage extends DiffBaseStorage {
  prefix: string;
  key: string;
  v1: boolean;

  constructor(options: AnnotationsDiffBaseStorageOptions = {}) {
    super(options);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.key = options.key ?? DIFF_BASE_NAME;
    this.v1 = options.v1 ?? true;
    if (typeof this.key !== 'string' || !this.key)
      throw new TypeError('AnnotationsDiffBaseStorage: key must be a non-empty string.');
  }

  makeKeys(body?: Body | null): string[] {
    return storageKeys(this.key, body, { prefix: this.prefix, v1: this.v1 });
  }

  override build(args: { body: Body; extraFields?: Iterable<FieldSpec> | undefined }): JsonObject {
    const essence = super.build(args) as Record<string, unknown>;
    const own = new Set(this.makeKeys(args.body));
    const metadata = essence['metadata'];
    const annotations = isPlainObject(metadata) ? metadata['annotations'] : undefined;
    if (isPlainObject(annotations))
      for (const key of Object.keys(annotations)) if (own.has(key)) delete annotations[key];
    removeEmptyStanzas(essence);
    return essence as JsonObject;
  }

  fetch({ body, onMalformed }: { body: Body; onMalformed?: OnMalformed | undefined }): JsonObject | null {
    const annotations = body.metadata?.annotations ?? {};
    for (const key of this.makeKeys(body)) {
      const decoded = decode(annotations[key], key, onMalformed);
      if (decoded !== null) return decoded;
    }
    return null;
  }

  store({ body, patch, essence }: { body: Body; patch: Patch; essence: JsonObject }): void {
    const encoded = encodeDiffBase(essence);
    for (const key of this.makeKeys(body)) patch.metadata.annotations[key] = encoded;
    storeMarker(patch, body, this.prefix);
  }
}

/** Options of {@link StatusDiffBaseStorage}. `{name}` in the field is replaced by `name`. */
export interface StatusDiffBaseStorageOptions extends DiffBaseStorageOptions {
  /** Default `kopf`. */
  name?: string;
  /** Default `status.{name}.last-handled-configuration`. */
  field?: FieldSpec;
}

/**
 * The essence as compact JSON (a string, no trailing newline, as Kopf) in a status field. It is written with
 * the handlers' results in the same `/status` patch, so a handled create needs no write of the object itself.
 */
export class StatusDiffBaseStorage extends DiffBaseStorage {
  readonly name: string;
  field: FieldPath;

  constructor(options: StatusDiffBaseStorageOptions = {}) {
    super(options);
    this.name = options.name ?? 'kopf';
    this.field = namedField(options.field ?? 'status.{name}.last-handled-configuration', this.name, 'field');
  }

  override build(args: { body: Body; extraFields?: Iterable<FieldSpec> | undefined }): JsonObject {
    const essence = super.build(args) as Record<string, unknown>;
    remove(essence, this.field);
    return essence as JsonObject;
  }

  fetch({ body, onMalformed }: { body: Body; onMalformed?: OnMalformed | undefined }): JsonObject | null {
    return decode(resolve(body, this.field), this.field.join('.'), onMalformed);
  }

  store({ patch, essence }: { body: Body; patch: Patch; essence: JsonObject }): void {
    ensure(patch, this.field, dumpsCompact(essence));
  }
}

/** Several storages: each builds on the previous one's essence; read from the first that has one; written to all. */
export class MultiDiffBaseStorage extends DiffBaseStorage {
  storages: DiffBaseStorage[];

  constructor(storages: Iterable<DiffBaseStorage>) {
    super();
    this.storages = [...storages];
    for (const storage of this.storages) {
      if (!(storage instanceof DiffBaseStorage))
        throw new TypeError('MultiDiffBaseStorage takes diff-base storages only.');
    }
  }

  override build(args: { body: Body; extraFields?: Iterable<FieldSpec> | undefined }): JsonObject {
    let essence = super.build(args);
    for (const storage of this.storages)
      essence = storage.build({ body: essence as Body, extraFields: args.extraFields });
    return essence;
  }

  fetch(args: { body: Body; onMalformed?: OnMalformed | undefined }): JsonObject | null {
    for (const storage of this.storages) {
      const found = storage.fetch(args);
      if (found !== null) return found;
    }
    return null;
  }

  store(args: { body: Body; patch: Patch; essence: JsonObject }): void {
    for (const storage of this.storages) storage.store(args);
  }
}

/** A stored essence, decoded; a value that is not JSON of an object is reported and counts as absent. */
function decode(encoded: unknown, key: string, onMalformed: OnMalformed | undefined): JsonObject | null {
  if (encoded === undefined || encoded === null) return null;
  if (typeof encoded !== 'string') {
    onMalformed?.(key, new Error('The diff-base is not a string of JSON.'));
    return null;
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(encoded);
  } catch (error) {
    onMalformed?.(key, error as Error);
    return null;
  }
  if (decoded === null) return null;
  if (!isPlainObject(decoded)) {
    onMalformed?.(key, new Error(`The diff-base is not a JSON object: ${encoded.slice(0, 100)}`));
    return null;
  }
  return decoded as JsonObject;
}
