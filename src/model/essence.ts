/**
 * The essence of an object (what counts as a change) and the diff-base annotation that stores the last
 * handled essence, byte-compatible with Kopf's `AnnotationsDiffBaseStorage` (`_cogs/configs/diffbase.py`)
 * followed by its progress storage's `clear()`, as Kopf's processing does before diffing.
 *
 * Used by the engine: `buildEssence(body)` is the new side, `decodeDiffBase(body)` the old side, and
 * `storeDiffBase(patch, body, essence)` writes it when a cause is done. Pure; imports only src/model.
 */
import { isPlainObject, type Body, type JsonObject } from './body.ts';
import { cherrypick, deepCopy, remove, type FieldSpec } from './dicts.ts';
import {
  DEFAULT_PREFIX,
  DIFF_BASE_NAME,
  LAST_APPLIED_ANNOTATION,
  STATUS_PROGRESS_FIELD,
  detectMarkedPrefixes,
  storageKeys,
  storeMarker,
  type KeyOptions,
} from './annotations.ts';
import type { Patch } from './patch.ts';
import { dumpsCompact } from './pyjson.ts';

/** How to build an essence. */
export interface EssenceOptions extends KeyOptions {
  /** Fields re-added even if they are normally dropped (the `field=` of watching/changing/spawning handlers). */
  extraFields?: Iterable<FieldSpec>;
  /** Fields removed at the end (Kopf's `ignored_fields`). */
  ignoredFields?: Iterable<FieldSpec>;
}

/**
 * The essence of `body`, in Kopf's key order:
 * 1. a deep copy without `apiVersion`, `kind`, `metadata` and `status`;
 * 2. `metadata.labels` and `metadata.annotations` re-added (at the end);
 * 3. minus annotations of any Kopf storage (prefixes marked `kopf-managed`, `kopf.zalando.org` and its
 *    subdomains) and `kubectl.kubernetes.io/last-applied-configuration`;
 * 4. the extra fields re-added; 5. empty `annotations`, `labels`, `metadata`, `status` removed;
 * 6. the ignored fields removed; 7. the diff-base keys of this prefix and then every `{prefix}/…` annotation
 *    and `status.kopf.progress` removed ({@link clearEssence}), with empty stanzas removed again.
 */
export function buildEssence(body: Body, options: EssenceOptions = {}): JsonObject {
  const essence = baseEssence(body, options) as Record<string, unknown>;
  const own = new Set(diffBaseKeys(body, options));
  const remaining = annotationsOf(essence);
  if (remaining) for (const key of Object.keys(remaining)) if (own.has(key)) delete remaining[key];
  removeEmptyStanzas(essence);
  return clearEssence(essence as JsonObject, options);
}

/**
 * Steps 1–6 of {@link buildEssence}, common to every diff-base storage (Kopf's `DiffBaseStorage.build`): what
 * remains of the body without the storages' own traces removed.
 */
export function baseEssence(body: Body, options: Omit<EssenceOptions, keyof KeyOptions> = {}): JsonObject {
  const essence = deepCopy(body) as Record<string, unknown>;
  for (const key of ['apiVersion', 'kind', 'metadata', 'status']) delete essence[key];
  cherrypick(body, essence, ['metadata.labels', 'metadata.annotations']);

  const annotations = annotationsOf(essence);
  if (annotations) {
    const ignored = detectMarkedPrefixes(Object.keys(annotations));
    for (const key of Object.keys(annotations)) {
      if ([...ignored].some((prefix) => key.startsWith(`${prefix}/`)) || key === LAST_APPLIED_ANNOTATION) {
        delete annotations[key];
      }
    }
  }

  cherrypick(body, essence, options.extraFields ?? []);
  removeEmptyStanzas(essence);
  for (const field of options.ignoredFields ?? []) remove(essence, field);
  return essence as JsonObject;
}

/**
 * What Kopf's progress storage `clear()` does to an essence (old or new): a copy without the annotations
 * under `{prefix}/` and without `status.kopf.progress`, with empty stanzas removed.
 */
export function clearEssence(essence: JsonObject, options: KeyOptions & { statusProgress?: boolean } = {}): JsonObject {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const result = deepCopy(essence) as Record<string, unknown>;
  const annotations = annotationsOf(result);
  if (annotations)
    for (const key of Object.keys(annotations)) if (key.startsWith(`${prefix}/`)) delete annotations[key];
  removeEmptyStanzas(result);
  if (options.statusProgress === false) return result as JsonObject;
  remove(result, STATUS_PROGRESS_FIELD);
  removeEmptyStanzas(result);
  return result as JsonObject;
}

/** The annotation keys of the diff-base for `body` (V2 first, then V1; `-ofDRS` for Deployment-owned ReplicaSets). */
export function diffBaseKeys(body: Body | null | undefined, options: KeyOptions = {}): string[] {
  return storageKeys(DIFF_BASE_NAME, body, options);
}

/** The diff-base annotation value of an essence: compact JSON as Python writes it, plus `"\n"`. */
export function encodeDiffBase(essence: JsonObject): string {
  return `${dumpsCompact(essence)}\n`;
}

/** Options of {@link decodeDiffBase}. */
export interface DecodeOptions extends KeyOptions {
  /** Called for an annotation that is not a JSON object (Kopf would fail the whole processing instead). */
  onMalformed?: (key: string, error: Error) => void;
}

/**
 * The last handled essence stored on `body` (the first of its diff-base keys holding one), cleared as
 * {@link clearEssence} does, or `null` when there is none. A malformed value (not JSON, or JSON that is not an
 * object) counts as absent and is reported through `onMalformed`: the object is then seen as new.
 */
export function decodeDiffBase(body: Body, options: DecodeOptions = {}): JsonObject | null {
  const annotations = body.metadata?.annotations ?? {};
  for (const key of diffBaseKeys(body, options)) {
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
    if (!isPlainObject(decoded)) {
      options.onMalformed?.(key, new Error(`The diff-base is not a JSON object: ${encoded.slice(0, 100)}`));
      continue;
    }
    return clearEssence(decoded as JsonObject, options);
  }
  return null;
}

/**
 * Puts the essence as the diff-base into the patch under all its keys, plus the `kopf-managed` marker for
 * non-`kopf.*` prefixes (as Kopf's `store()`).
 */
export function storeDiffBase(patch: Patch, body: Body, essence: JsonObject, options: KeyOptions = {}): void {
  const encoded = encodeDiffBase(essence);
  for (const key of diffBaseKeys(body, options)) patch.metadata.annotations[key] = encoded;
  storeMarker(patch, body, options.prefix ?? DEFAULT_PREFIX);
}

function annotationsOf(essence: Record<string, unknown>): Record<string, unknown> | undefined {
  const metadata = essence['metadata'];
  const annotations = isPlainObject(metadata) ? metadata['annotations'] : undefined;
  return isPlainObject(annotations) ? annotations : undefined;
}

function isEmpty(value: unknown): boolean {
  return value === null || (isPlainObject(value) && Object.keys(value).length === 0);
}

/** Kopf's `remove_empty_stanzas`: drops empty (or null) `metadata.annotations`, `metadata.labels`, `metadata`, `status`. */
export function removeEmptyStanzas(essence: Record<string, unknown>): void {
  const metadata = essence['metadata'];
  if (isPlainObject(metadata)) {
    if (Object.hasOwn(metadata, 'annotations') && isEmpty(metadata['annotations']))
      delete metadata['annotations'];
    if (Object.hasOwn(metadata, 'labels') && isEmpty(metadata['labels'])) delete metadata['labels'];
  }
  if (Object.hasOwn(essence, 'metadata') && isEmpty(essence['metadata'])) delete essence['metadata'];
  if (Object.hasOwn(essence, 'status') && isEmpty(essence['status'])) delete essence['status'];
}
