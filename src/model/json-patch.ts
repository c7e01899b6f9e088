/**
 * Kopf's transformation functions (`patch.fns`) as a JSON patch (RFC 6902): the functions mutate a deep copy of
 * the freshest body; the difference becomes `add`/`remove`/`replace` operations (a changed list is replaced
 * whole), split into the object's part and the `/status` part, each guarded by a `test` of
 * `metadata.resourceVersion`. Called by src/engine/writer.ts after the merge patches. Pure.
 */
import { isPlainObject, type Body, type JsonValue } from './body.ts';
import { deepCopy, deepEqual } from './dicts.ts';
import { resourceVersionTest, type JsonPatchOp } from './finalizers.ts';

/** A transformation function: mutates the body it is given (a deep copy of the freshest one). */
export type PatchFn = (body: Record<string, any>) => void;

/** The operations that turn `before` into `after` (objects compared key by key; other values replaced). */
export function diffOps(before: unknown, after: unknown, path = ''): JsonPatchOp[] {
  if (deepEqual(before, after)) return [];
  if (!isPlainObject(before) || !isPlainObject(after)) {
    return after === undefined
      ? [{ op: 'remove', path }]
      : [{ op: 'replace', path, value: after as JsonValue }];
  }
  const ops: JsonPatchOp[] = [];
  for (const key of Object.keys(before)) {
    if (!(key in after) || after[key] === undefined)
      ops.push({ op: 'remove', path: `${path}/${escape(key)}` });
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const child = `${path}/${escape(key)}`;
    if (!(key in before) || before[key] === undefined)
      ops.push({ op: 'add', path: child, value: value as JsonValue });
    else ops.push(...diffOps(before[key], value, child));
  }
  return ops;
}

/**
 * Applies the functions to a deep copy of `body` and returns the operations to send: the object's (without
 * `/status` when the resource has a status subresource) and the status subresource's (empty when nothing
 * changed). Each is sent behind {@link guarded}. A function that throws propagates.
 */
export function transformationPatches(
  body: Body,
  fns: readonly PatchFn[],
  hasStatus: boolean,
): { main: JsonPatchOp[]; status: JsonPatchOp[] } {
  const copy = deepCopy(body) as Record<string, any>;
  for (const fn of fns) fn(copy);
  const ops = diffOps(body, copy);
  const isStatus = (op: JsonPatchOp): boolean =>
    hasStatus && (op.path === '/status' || op.path.startsWith('/status/'));
  return { main: ops.filter((op) => !isStatus(op)), status: ops.filter(isStatus) };
}

/** The operations behind a `test` of the body's resourceVersion: the API server refuses them (422) if it moved. */
export function guarded(body: Body, ops: readonly JsonPatchOp[]): JsonPatchOp[] {
  return [resourceVersionTest(body), ...ops];
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
