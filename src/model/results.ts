/**
 * Delivering handler results into the patch, as Kopf's `progression.deliver_results`: a returned mapping is
 * merged into `status.<id>` (top-level keys replaced), any other non-null value is set as `status.<id>`.
 * kopf-ts adds {@link resultIsUnchanged}, so a timer returning the same value does not write every tick.
 *
 * Used by the engine and src/execution after a successful attempt (change, event, daemon and timer
 * handlers; not webhooks, indexes or activities). Pure.
 */
import { isPlainObject, type Body, type JsonValue } from './body.ts';
import { newPatch, patchIsNoop, type Patch } from './patch.ts';

/**
 * The result as JSON data (as it will be sent): Dates become ISO strings, `undefined` object values and
 * functions disappear, `toJSON()` is honoured. `undefined` stays `undefined` (= no result). Throws a
 * TypeError naming the handler for values JSON cannot hold (BigInt, cycles).
 */
export function resultToJson(result: unknown, id = 'handler'): JsonValue | undefined {
  if (result === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch (error) {
    throw new TypeError(`The result of ${id} cannot be stored as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
}

/**
 * Puts handler `id`'s result into the patch: nothing for `null`/`undefined`; a plain object is merged into
 * `patch.status[id]` (replacing the keys it has; Kopf's `dict.update`); any other value replaces it.
 */
export function deliverResult(patch: Patch, id: string, result: unknown): void {
  const value = resultToJson(result, id);
  if (value === undefined || value === null) return;
  const existing = patch.status[id];
  if (isPlainObject(value) && isPlainObject(existing)) Object.assign(existing, value);
  else patch.status[id] = value;
}

/**
 * True when delivering the result would not change the object: `body.status[id]` already holds it (for a
 * mapping: merge-patch semantics, so extra keys already on the object do not count). A `null`/`undefined`
 * result is always "unchanged" (nothing is delivered).
 */
export function resultIsUnchanged(body: Body, id: string, result: unknown): boolean {
  const value = resultToJson(result, id);
  if (value === undefined || value === null) return true;
  const patch = newPatch();
  patch.status[id] = value;
  return patchIsNoop(body, patch);
}

/** Options of {@link deliverResultIfChanged}. */
export interface DeliverOptions {
  /** Write even if unchanged (Kopf's behaviour; `settings.persistence.rewriteUnchangedResults`). */
  rewriteUnchanged?: boolean;
}

/**
 * {@link deliverResult}, but skipped when the object already holds the result and this patch has not touched
 * `status[id]` yet (kopf-ts's saving of writes). Returns whether the result went into the patch.
 */
export function deliverResultIfChanged(
  patch: Patch,
  body: Body,
  id: string,
  result: unknown,
  options: DeliverOptions = {},
): boolean {
  const value = resultToJson(result, id);
  if (value === undefined || value === null) return false;
  if (!options.rewriteUnchanged && !Object.hasOwn(patch.status, id) && resultIsUnchanged(body, id, value))
    return false;
  deliverResult(patch, id, value);
  return true;
}
