/**
 * Kopf's storage conventions in one place (`_cogs/configs/conventions.py`): the default prefix and
 * finalizer, the well-known annotation names, how a handler id or storage name becomes an annotation key
 * (V1 and V2 keys, shortening with a BLAKE2b hash, the `-ofDRS` mark of Deployment-owned ReplicaSets), the
 * `{prefix}/kopf-managed` marker and how other Kopf operators' prefixes are recognised.
 *
 * Used by src/model/essence.ts and src/model/progress-storage.ts, and by the engine for the defaults. Pure.
 */
import type { Body } from './body.ts';
import { blake2b } from './blake2b.ts';
import type { Patch } from './patch.ts';

/** The default annotation prefix: an operator's identity. */
export const DEFAULT_PREFIX = 'kopf.zalando.org';
/** The default finalizer. */
export const DEFAULT_FINALIZER = 'kopf.zalando.org/KopfFinalizerMarker';
/** The name (under the prefix) of the diff-base annotation. */
export const DIFF_BASE_NAME = 'last-handled-configuration';
/** The name (under the prefix) of the dummy annotation touched to provoke a new event. */
export const TOUCH_NAME = 'touch-dummy';
/** The name (under the prefix) of the marker that says "these annotations belong to a Kopf operator". */
export const MANAGED_MARKER_NAME = 'kopf-managed';
/** kubectl's own copy of the applied manifest; never part of an essence. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Where Kopf once wrote progress records (read and purged, never written since Kopf 1.44). */
export const STATUS_PROGRESS_FIELD: readonly string[] = ['status', 'kopf', 'progress'];

/** The default diff-base annotation key. */
export const DEFAULT_DIFF_BASE_KEY = `${DEFAULT_PREFIX}/${DIFF_BASE_NAME}`;
/** The default touch-dummy annotation key. */
export const DEFAULT_TOUCH_KEY = `${DEFAULT_PREFIX}/${TOUCH_NAME}`;

const MAX_NAME_LENGTH = 63;

/** How annotation keys are formed: the prefix, and whether V1 keys are written too (Kopf's `v1=True`). */
export interface KeyOptions {
  /** Default {@link DEFAULT_PREFIX}. */
  prefix?: string;
  /** Default true, as in Kopf 1.44. */
  v1?: boolean;
}

/** The id made annotation-safe: `/` → `.`, `<` and `>` → `_`. */
export function makeSafeKey(key: string): string {
  return key.replaceAll('/', '.').replaceAll('<', '_').replaceAll('>', '_');
}

/** `-` + base64 (altchars `-.`) of the 4-byte BLAKE2b of the key's UTF-8, with trailing `=`, `-`, `.` stripped. */
export function makeSuffix(key: string): string {
  return `-${base64(blake2b(key, 4), '-', '.')}`.replace(/[=.-]+$/, '');
}

/**
 * The V2 annotation key: `prefix/safe-id`; an id longer than 63 characters keeps its first `63 - len(suffix)`
 * safe characters followed by the hash suffix of the raw id. The prefix does not count.
 */
export function makeV2Key(key: string, prefix: string = DEFAULT_PREFIX): string {
  const suffix = key.length > MAX_NAME_LENGTH ? makeSuffix(key) : '';
  const limit = Math.max(0, MAX_NAME_LENGTH - suffix.length);
  return `${prefix}/${makeSafeKey(key).slice(0, limit)}${suffix}`;
}

/**
 * The V1 annotation key (Kopf before 1.29, still written by default): like V2, but the 63-character limit
 * counts `prefix/` too, and the suffix hashes the safe id.
 */
export function makeV1Key(key: string, prefix: string = DEFAULT_PREFIX): string {
  const safe = makeSafeKey(key);
  const full = `${prefix}/`;
  const suffix = safe.length <= MAX_NAME_LENGTH - full.length ? '' : makeSuffix(safe);
  // As in Kopf, a prefix longer than the limit makes the bound negative: Python and JS both slice from the end.
  return `${full}${safe.slice(0, MAX_NAME_LENGTH - full.length - suffix.length)}${suffix}`;
}

/** `key` + `-ofDRS` for a ReplicaSet owned by a Deployment (K8s copies Deployment annotations down to it). */
export function markKey(key: string, body: Body | null | undefined): string {
  if (!body || body.kind !== 'ReplicaSet') return key;
  const owners = body.metadata?.ownerReferences ?? [];
  return owners.some((owner) => owner.kind === 'Deployment') ? `${key}-ofDRS` : key;
}

/**
 * All annotation keys under which `key` (a handler id or a storage name) is stored for `body`: the V2 key
 * first, then the V1 key when V1 keys are on and it differs. Read in this order, written all at once.
 */
export function storageKeys(key: string, body?: Body | null, options: KeyOptions = {}): string[] {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const marked = markKey(key, body);
  const v2 = makeV2Key(marked, prefix);
  if (options.v1 === false) return [v2];
  const v1 = makeV1Key(marked, prefix);
  return v1 === v2 ? [v2] : [v2, v1];
}

/** The marker key `{prefix}/kopf-managed`. */
export function markerKey(prefix: string = DEFAULT_PREFIX): string {
  return `${prefix}/${MANAGED_MARKER_NAME}`;
}

/**
 * Adds `{prefix}/kopf-managed: "yes"` to the patch when the prefix does not start with `kopf.` and neither
 * the body nor the patch has it yet (Kopf writes it with any record or diff-base it stores).
 */
export function storeMarker(patch: Patch, body: Body, prefix: string = DEFAULT_PREFIX): void {
  if (!prefix || prefix.startsWith('kopf.')) return;
  const marker = markerKey(prefix);
  const existing = body.metadata?.annotations ?? {};
  if (!Object.hasOwn(existing, marker) && !Object.hasOwn(patch.metadata.annotations, marker)) {
    patch.metadata.annotations[marker] = 'yes';
  }
}

/**
 * The prefixes of annotation keys that belong to Kopf operators: those with a `kopf-managed` marker,
 * `kopf.zalando.org`, and any prefix ending in `.kopf.zalando.org`.
 */
export function detectMarkedPrefixes(keys: Iterable<string>): Set<string> {
  const prefixes = new Set<string>();
  for (const key of keys) {
    const slash = key.indexOf('/');
    if (slash < 0) continue;
    const prefix = key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (name === MANAGED_MARKER_NAME || prefix === DEFAULT_PREFIX || prefix.endsWith(`.${DEFAULT_PREFIX}`)) {
      prefixes.add(prefix);
    }
  }
  return prefixes;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Standard base64 with padding, with the two last letters of the alphabet given (`+/` normally). */
function base64(bytes: Uint8Array, plus: string, slash: string): string {
  const alphabet = BASE64 + plus + slash;
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? alphabet[n & 63]! : '=';
  }
  return out;
}
