/**
 * Finalizers as Kopf (1.44+) adds and removes them: never in the merge patch, but as a JSON patch (RFC 6902)
 * guarded by a `test` of `metadata.resourceVersion`, so another controller's concurrent finalizer change is
 * never clobbered (the server answers 422 and the engine retries on the next event).
 *
 * Used by the object machine's implementations in the engine (add on the first cycle that needs one, remove
 * when released); the ops are sent by src/kube as `application/json-patch+json`. Pure.
 */
import type { Body, JsonValue } from './body.ts';

/** One JSON-patch operation (only the kinds kopf-ts sends). */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: JsonValue;
}

/** True when the object carries the finalizer (Kopf's `is_deletion_blocked`). */
export function hasFinalizer(body: Body, finalizer: string): boolean {
  const finalizers = body.metadata?.finalizers;
  return Array.isArray(finalizers) && finalizers.includes(finalizer);
}

/** True when the object is being deleted (`metadata.deletionTimestamp` is set). */
export function isDeletionOngoing(body: Body): boolean {
  const timestamp = body.metadata?.deletionTimestamp;
  return timestamp !== undefined && timestamp !== null;
}

/** The guard that makes a JSON patch fail (422) if the object changed since `body` was seen. */
export function resourceVersionTest(body: Body): JsonPatchOp {
  return { op: 'test', path: '/metadata/resourceVersion', value: body.metadata?.resourceVersion ?? null };
}

/**
 * The JSON patch that adds the finalizer: `[test rv, add /metadata/finalizers [f]]` when the object has no
 * finalizer list, else `[test rv, add /metadata/finalizers/- f]`. Empty (`[]`) when it is already there.
 */
export function addFinalizerOps(body: Body, finalizer: string): JsonPatchOp[] {
  if (hasFinalizer(body, finalizer)) return [];
  const finalizers = body.metadata?.finalizers;
  const add: JsonPatchOp = Array.isArray(finalizers)
    ? { op: 'add', path: '/metadata/finalizers/-', value: finalizer }
    : { op: 'add', path: '/metadata/finalizers', value: [finalizer] };
  return [resourceVersionTest(body), add];
}

/**
 * The JSON patch that removes the finalizer: `[test rv, remove /metadata/finalizers]` when it is the only one
 * (every entry is ours), else one `remove /metadata/finalizers/<i>` per occurrence, indexes as they are after
 * the previous removals (as `jsonpatch.from_diff` produces them). Empty (`[]`) when it is not there.
 */
export function removeFinalizerOps(body: Body, finalizer: string): JsonPatchOp[] {
  if (!hasFinalizer(body, finalizer)) return [];
  const finalizers = body.metadata.finalizers ?? [];
  if (finalizers.every((item) => item === finalizer)) {
    return [resourceVersionTest(body), { op: 'remove', path: '/metadata/finalizers' }];
  }
  const ops: JsonPatchOp[] = [resourceVersionTest(body)];
  let removed = 0;
  finalizers.forEach((item, index) => {
    if (item === finalizer) ops.push({ op: 'remove', path: `/metadata/finalizers/${index - removed++}` });
  });
  return ops;
}

/** The finalizers after adding ours (for predicting the echo of the patch); unchanged if present. */
export function withFinalizer(finalizers: readonly string[] | undefined, finalizer: string): string[] {
  const list = [...(finalizers ?? [])];
  return list.includes(finalizer) ? list : [...list, finalizer];
}

/** The finalizers after removing ours (all occurrences). */
export function withoutFinalizer(finalizers: readonly string[] | undefined, finalizer: string): string[] {
  return (finalizers ?? []).filter((item) => item !== finalizer);
}
