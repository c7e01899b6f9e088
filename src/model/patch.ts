/**
 * The `patch` kwarg and the framework's own changes of one reaction: a JSON merge patch (RFC 7386) as a plain
 * object, with `metadata.labels`, `metadata.annotations`, `spec` and `status` made in advance so that
 * `patch.status.x = 1` and `patch.metadata.labels.a = 'b'` just work (Kopf's `kopf.Patch`); `null` deletes.
 *
 * Created by the engine per reaction (and per daemon/timer iteration), filled by handlers, results and
 * progress storage, passed to pool workers by structured clone, split and sent by src/kube. Pure.
 */
import { isPlainObject, type Body, type JsonObject, type JsonValue } from './body.ts';
import { deepCopy, deepEqual } from './dicts.ts';
import type { PatchFn } from './json-patch.ts';

/** The pre-made `metadata` of a {@link Patch}. */
export interface MetaPatch {
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
  [key: string]: unknown;
}

/**
 * A merge patch being accumulated. Plain data: it survives structured clone (the non-enumerable `meta`
 * alias of `metadata` does not; {@link revivePatch} restores it and any missing pre-made sub-object).
 * `S` and `St` type its `spec` and `status` (a handler's kwargs derive them from the object's types).
 */
export interface Patch<S = Record<string, unknown>, St = Record<string, unknown>> {
  metadata: MetaPatch;
  /** Kopf's alias of `metadata` (non-enumerable: never serialised). */
  readonly meta: MetaPatch;
  /**
   * Kopf's transformation functions: each gets a deep copy of the freshest body and mutates it; the difference
   * is sent as a JSON patch guarded by the resourceVersion, after the merge patch (non-enumerable: never
   * serialised; not available in a pool worker, where functions cannot come back from).
   */
  readonly fns: PatchFn[];
  spec: S;
  status: St;
  [key: string]: unknown;
}

/** The JSON body of a merge-patch request, ready to send. */
export type MergePatch = JsonObject;

/**
 * A new empty patch, optionally starting from `init` (deep-copied; its `metadata`, `spec` and `status` are
 * merged into the pre-made sub-objects when they are objects, and set as given when not).
 */
export function newPatch(init: Record<string, unknown> = {}): Patch {
  const patch = { metadata: { labels: {}, annotations: {} }, spec: {}, status: {} } as unknown as Patch;
  revivePatch(patch);
  for (const [key, value] of Object.entries(deepCopy(init))) {
    if (key === 'meta') continue;
    if (isPlainObject(value) && isPlainObject(patch[key])) mergeInto(patch[key], value);
    else patch[key] = value;
  }
  return patch;
}

/**
 * Makes a patch that crossed a thread boundary (or was built by hand) usable again: re-creates missing
 * pre-made sub-objects (when they are absent, not when they were set to `null` or replaced) and the `meta`
 * alias. Mutates and returns `patch`.
 */
export function revivePatch(patch: Record<string, unknown>): Patch {
  if (patch['metadata'] === undefined) patch['metadata'] = {};
  const metadata = patch['metadata'];
  if (isPlainObject(metadata)) {
    if (metadata['labels'] === undefined) metadata['labels'] = {};
    if (metadata['annotations'] === undefined) metadata['annotations'] = {};
  }
  if (patch['spec'] === undefined) patch['spec'] = {};
  if (patch['status'] === undefined) patch['status'] = {};
  Object.defineProperty(patch, 'meta', {
    configurable: true,
    enumerable: false,
    get: () => patch['metadata'],
  });
  if (!Object.prototype.hasOwnProperty.call(patch, 'fns')) {
    Object.defineProperty(patch, 'fns', {
      configurable: true,
      enumerable: false,
      writable: false,
      value: [],
    });
  }
  return patch as Patch;
}

/**
 * The patch as a JSON merge-patch body: a deep copy without the empty pre-made sub-objects (`spec`,
 * `status`, `metadata.labels`, `metadata.annotations`, then `metadata`), without `undefined` values and
 * without the `meta` alias. Objects a handler set explicitly (even `{}`) are kept: they mean something.
 */
export function prunePatch(patch: Record<string, unknown>): MergePatch {
  const result = toJson(patch) as JsonObject;
  const metadata = result['metadata'];
  if (isPlainObject(metadata)) {
    for (const key of ['labels', 'annotations']) {
      if (isEmptyObject(metadata[key])) delete metadata[key];
    }
  }
  for (const key of ['metadata', 'spec', 'status']) {
    if (isEmptyObject(result[key])) delete result[key];
  }
  return result;
}

/** True when the patch would change nothing because it holds nothing (see {@link prunePatch}). */
export function isEmptyPatch(patch: Record<string, unknown>): boolean {
  return Object.keys(prunePatch(patch)).length === 0;
}

/**
 * One patch with the changes of both, `b` winning: nested objects are merged key by key; anything else in
 * `b` (a value, a list, a `null` deletion) replaces what `a` had; an object in `b` over a non-object in `a`
 * replaces it. (Merge patches cannot express "delete, then set some keys" exactly; this keeps `b`'s keys.)
 * Neither input is changed; the result is a fresh {@link Patch}.
 */
export function mergePatches(a: Record<string, unknown>, b: Record<string, unknown>): Patch {
  const result = newPatch(a);
  mergeInto(result, deepCopy(withoutMeta(b)));
  return result;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) mergeInto(current, value);
    else target[key] = value;
  }
}

/**
 * Moves everything `patch` holds (its changes and its transformation functions) into a new patch and leaves
 * `patch` empty but usable (its pre-made sub-objects in place), for a write that goes out early. Returns the
 * new patch.
 */
export function drainPatch(patch: Patch): Patch {
  const taken = newPatch(withoutMeta(patch));
  taken.fns.push(...patch.fns.splice(0));
  for (const key of Object.keys(patch)) delete patch[key];
  revivePatch(patch);
  return taken;
}

/** The two merge-patch requests of a patch: see {@link splitStatus}. `null` means "nothing to send". */
export interface SplitPatch {
  /** For `PATCH …/{name}`. */
  main: MergePatch | null;
  /** For `PATCH …/{name}/status` (`{status: …}`); only when the resource has a status subresource. */
  status: MergePatch | null;
}

/**
 * Splits a patch as Kopf's `patch_obj`: with a status subresource, `status` goes to its own request and the
 * rest to the main one; without it, everything goes to the main one. Both are pruned; empty ones are null.
 */
export function splitStatus(patch: Record<string, unknown>, hasStatusSubresource: boolean): SplitPatch {
  const main = prunePatch(patch);
  let status: MergePatch | null = null;
  if (hasStatusSubresource && Object.hasOwn(main, 'status')) {
    status = { status: main['status'] as JsonValue };
    delete main['status'];
  }
  return { main: Object.keys(main).length > 0 ? main : null, status };
}

/**
 * The result of applying a merge patch to a body (RFC 7386): `null` removes a key, objects merge
 * recursively (into `{}` where the target is not an object), anything else replaces. Returns a new value;
 * `body` is not changed. The pre-made empty stanzas of a {@link Patch} are pruned first.
 */
export function applyMergePatch<T = Body>(body: unknown, patch: Record<string, unknown>): T {
  return apply(body, prunePatch(patch)) as T;
}

function apply(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepCopy(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = apply(result[key], value);
  }
  return result;
}

/**
 * True when applying the patch would not change the body, so the write can be skipped. Like RFC 7386 except
 * that a sub-patch of only deletions for an absent object counts as no change (the API server does not keep
 * the empty `annotations: {}` that strict RFC 7386 would leave behind).
 */
export function patchIsNoop(body: unknown, patch: Record<string, unknown>): boolean {
  return isNoop(body, prunePatch(patch));
}

function isNoop(target: unknown, patch: Record<string, unknown>): boolean {
  if (!isPlainObject(target)) return Object.keys(patch).length === 0 || onlyDeletions(patch);
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (value === null) {
      if (current !== undefined) return false;
    } else if (isPlainObject(value)) {
      if (
        current === undefined ? !onlyDeletions(value) : !isPlainObject(current) || !isNoop(current, value)
      ) {
        return false;
      }
    } else if (!deepEqual(current, value)) {
      return false;
    }
  }
  return true;
}

/** A non-empty sub-patch whose every leaf is a deletion (an explicit `{}` creates an object: a change). */
function onlyDeletions(patch: Record<string, unknown>): boolean {
  const values = Object.values(patch);
  return (
    values.length > 0 &&
    values.every((value) => value === null || (isPlainObject(value) && onlyDeletions(value)))
  );
}

function isEmptyObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function withoutMeta(patch: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...rest } = patch;
  return rest;
}

function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toJson(item)));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) result[key] = toJson(item);
    return result;
  }
  return value;
}
