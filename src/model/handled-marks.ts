/**
 * Handled marks: a durable note that a change handler reached its final outcome (success or permanent failure)
 * for one change, written in the same request as its result, so that a crash after that request never runs it
 * again (docs/reliability.md). They live in `status.kopf.handled`:
 *
 *     status: { kopf: { handled: { change: "update:3fa1c29b0d6e7a15#9c41e2d0", ids: { create_fn: true, slow_fn: false } } } }
 *
 * `change` names the change they belong to: the cause, a digest of the diff-base the change started from (the
 * essence last handled; none for a creation), and an id of the reaction cycle that first wrote them. When the
 * change is handled, the object's own write (the one storing the diff-base) also stores that name in the
 * annotation `{prefix}/spent-marks`: marks so named are spent, even if the same change (same cause, same
 * origin) comes back later. Kopf reads neither field, so leftovers cannot mislead it.
 *
 * Used by src/engine/reaction.ts: read before running handlers, written with results as handlers finish, spent
 * with the diff-base. Pure.
 */
import { isPlainObject, type Body, type JsonObject } from './body.ts';
import type { Patch } from './patch.ts';

/** The marks' field under `status`. */
export const MARKS_PATH = ['kopf', 'handled'] as const;

/** The annotation (under the storage prefix) naming the marks that are spent. */
export const SPENT_NAME = 'spent-marks';

/**
 * The cause and origin of one change: its cause and `digest`, a short digest of the essence it started from
 * (computed by the caller: the model does no hashing on the hot path), or null when it was never handled.
 */
export function changeTag(cause: string, digest: string | null): string {
  return `${cause}:${digest ?? 'none'}`;
}

interface StoredMarks {
  change: string;
  ids: Record<string, boolean>;
}

function storedMarks(source: unknown): StoredMarks | null {
  let node: unknown = source;
  for (const key of MARKS_PATH) node = isPlainObject(node) ? node[key] : undefined;
  if (!isPlainObject(node) || typeof node.change !== 'string' || !isPlainObject(node.ids)) return null;
  const ids: Record<string, boolean> = {};
  for (const [id, value] of Object.entries(node.ids)) if (typeof value === 'boolean') ids[id] = value;
  return { change: node.change, ids };
}

function spentOf(body: Body, prefix: string): string | undefined {
  return body.metadata.annotations?.[`${prefix}/${SPENT_NAME}`];
}

/**
 * The name of the marks on `body` that belong to a change with this `tag` and are not spent (an interrupted
 * reaction's), or undefined: the marks a reaction of that change continues.
 */
export function liveChange(body: Body, tag: string, prefix: string): string | undefined {
  const marks = storedMarks(body.status);
  if (!marks || !marks.change.startsWith(`${tag}#`) || marks.change === spentOf(body, prefix))
    return undefined;
  return marks.change;
}

/**
 * The handlers marked on `body` as finished in change `change`: id → true (succeeded) or false (failed for
 * good). Marks of another change, or none, give an empty map.
 */
export function handledMarks(body: Body, change: string): Map<string, boolean> {
  const marks = storedMarks(body.status);
  if (!marks || marks.change !== change) return new Map();
  return new Map(Object.entries(marks.ids));
}

/**
 * Adds to `patch` the marks of `finished` (id → succeeded) for change `change`. When `body` holds marks of
 * another change, they are removed in the same patch (a merge patch cannot replace a map: each old id is nulled).
 */
export function markHandled(
  patch: Patch,
  body: Body,
  change: string,
  finished: ReadonlyMap<string, boolean>,
): void {
  if (finished.size === 0) return;
  const kopf = (
    isPlainObject(patch.status.kopf) ? patch.status.kopf : (patch.status.kopf = {})
  ) as JsonObject;
  const handled = (isPlainObject(kopf.handled) ? kopf.handled : (kopf.handled = {})) as JsonObject;
  const ids = (isPlainObject(handled.ids) ? handled.ids : (handled.ids = {})) as JsonObject;
  const previous = storedMarks(body.status);
  if (previous && previous.change !== change)
    for (const id of Object.keys(previous.ids)) if (!(id in ids)) ids[id] = null;
  handled.change = change;
  for (const [id, succeeded] of finished) ids[id] = succeeded;
}

/** Whether every mark of `finished` for change `change` is on `body` (the API server may prune unknown status fields). */
export function marksStored(body: Body, change: string, finished: ReadonlyMap<string, boolean>): boolean {
  const stored = handledMarks(body, change);
  return [...finished].every(([id, succeeded]) => stored.get(id) === succeeded);
}

/**
 * Marks the marks of `change` as spent, in the object's write that stores the handled change's diff-base; only
 * when such marks are on `body` or in `patch` (objects that never had marks get no annotation).
 */
export function spendMarks(patch: Patch, body: Body, change: string, prefix: string): void {
  const inPatch = storedMarks(patch.status)?.change === change;
  const onBody = storedMarks(body.status)?.change === change;
  if ((inPatch || onBody) && spentOf(body, prefix) !== change)
    patch.metadata.annotations[`${prefix}/${SPENT_NAME}`] = change;
}

/** Removes the marks on `body` in `patch` (a write that stores the handled change in one request needs none). */
export function clearMarks(patch: Patch, body: Body): void {
  if (!storedMarks(body.status)) return;
  const kopf = (
    isPlainObject(patch.status.kopf) ? patch.status.kopf : (patch.status.kopf = {})
  ) as JsonObject;
  kopf.handled = null;
}
