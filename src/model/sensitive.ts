/**
 * Sensitive fields (a Secret's `data` and `stringData` by default, `settings.persistence.sensitive`): their
 * values never go into the stored diff-base, the logs or the devtools. The essence keeps, instead of each
 * value, a keyed digest (HMAC-SHA256) per key, so a changed key is still a change and the diff names it, while
 * the annotation (readable by whoever may read the object's metadata) carries no value. Used by the engine's
 * change state (src/engine/change-state.ts) on both the stored and the new essence, and by its debug logs
 * (`redactBody`). Pure: the digest itself is made by src/engine/sensitive.ts.
 */
import { isPlainObject, type Body, type JsonObject } from './body.ts';
import { deepCopy, resolve, type FieldPath } from './dicts.ts';

/** One entry of `settings.persistence.sensitive`: a resource (as handlers name it) and its sensitive fields. */
export interface SensitiveResource {
  /** A resource selector as in `kopf.on.*`: `'secrets'`, `'kopfexamples.kopf.dev'`, `{ group: '', plural: 'secrets' }`. */
  resource:
    | string
    | {
        group?: string;
        version?: string;
        plural?: string;
        kind?: string;
        singular?: string;
        shortcut?: string;
      };
  /** Its fields whose values are secret (`'data'`, `'spec.password'`); an object field is digested per key. */
  fields: string[];
}

/** The prefix of a stored digest: `hmac-sha256:` and 64 hex digits. */
export const DIGEST_PREFIX = 'hmac-sha256:';
const DIGEST_RE = /^hmac-sha256:[0-9a-f]{64}$/;
/** What the logs show instead of a sensitive value. */
export const REDACTED = '(redacted)';

/** Digests one value found at `path` (src/engine/sensitive.ts makes it: an HMAC, which needs node:crypto). */
export type Digest = (value: unknown, path: readonly string[]) => string;

/** Whether a value is a digest (a stored essence already redacted): `hmac-sha256:` and 64 hex digits. */
export function isDigest(value: unknown): boolean {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/**
 * A copy of an essence (stored or new) with every sensitive value replaced by its digest: for a field that
 * is an object (`data`), one digest per key; for any other value, one digest of it. Values that are already
 * digests stay as they are, so redacting is idempotent, and a diff-base written in plain text (by Kopf, or
 * before the field was marked) compares equal where the value did not change, and is replaced at the next write.
 */
export function redactEssence(essence: JsonObject, fields: readonly FieldPath[], digest: Digest): JsonObject {
  if (fields.length === 0) return essence;
  const once: Digest = (value, path) => (isDigest(value) ? (value as string) : digest(value, path));
  return replaceFields(essence, fields, (value, path) =>
    isPlainObject(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, once(v, [...path, k])]))
      : once(value, path),
  ) as JsonObject;
}

/**
 * A copy of a body for logging, with every sensitive value replaced by {@link REDACTED} (the keys of an
 * object field stay, so the log still says which keys there are). The body itself is not changed.
 */
export function redactBody(body: Body, fields: readonly FieldPath[]): Body {
  if (fields.length === 0) return body;
  return replaceFields(body as unknown as JsonObject, fields, (value) =>
    isPlainObject(value) ? Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED])) : REDACTED,
  ) as unknown as Body;
}

function replaceFields(
  source: JsonObject,
  fields: readonly FieldPath[],
  replace: (value: unknown, path: readonly string[]) => unknown,
): JsonObject {
  let copy: Record<string, unknown> | null = null;
  for (const path of fields) {
    if (path.length === 0 || resolve(source, path) == null) continue;
    copy ??= deepCopy(source) as Record<string, unknown>;
    let parent: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    const last = path[path.length - 1]!;
    parent[last] = replace(parent[last], path);
  }
  return (copy ?? source) as JsonObject;
}
