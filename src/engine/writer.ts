/**
 * Writing one reaction's changes to the object: at most a JSON patch for the finalizer, one merge patch of
 * its `/status` and one of the object (when the resource has a status subresource), skipping any that would
 * change nothing. Returns the newest body the API server returned, which becomes the actor's state (our own
 * patch's echo is then dropped as not newer). Called by src/engine/reaction.ts and release.ts.
 */
import type { Body } from '../model/body.ts';
import type { Resource } from '../model/resource.ts';
import type { JsonPatchOp } from '../model/finalizers.ts';
import { patchIsNoop, splitStatus, type Patch } from '../model/patch.ts';
import type { KubeClient } from '../kube/client.ts';
import { getObject, patchObject } from '../kube/objects.ts';
import { ApiError, ApiNotFoundError, ApiUnprocessableError } from '../kube/errors.ts';
import { guarded, transformationPatches, type PatchFn } from '../model/json-patch.ts';
import { faultPoint } from './faults.ts';

/** What a write did. */
export interface WriteResult {
  /** The newest body after the writes (the input body when nothing was written). */
  body: Body;
  /** How many requests were sent. */
  requests: number;
  /** The object disappeared meanwhile (404): nothing more to do for it. */
  gone: boolean;
}

/** Sends a JSON patch (e.g. the rv-guarded finalizer ops); 422 (the guard failed) propagates to the caller. */
export async function writeJsonPatch(
  client: KubeClient,
  resource: Resource,
  body: Body,
  ops: JsonPatchOp[],
): Promise<WriteResult> {
  if (ops.length === 0) return { body, requests: 0, gone: false };
  try {
    const fresh = await patchObject(client, resource, refOf(body), ops, { type: 'json' });
    return { body: fresh, requests: 1, gone: false };
  } catch (err) {
    if (err instanceof ApiNotFoundError) return { body, requests: 1, gone: true };
    throw err;
  }
}

/**
 * Sends the merge patch: the status part (handlers' results), then the main part (progress, the diff-base);
 * each only when it would change something. In this order a crash between the two requests never leaves an
 * object marked as handled (or a handler's progress stored) without its result: at worst the handler runs
 * again and writes the same result. A status patch the API server rejects for good (403, 400, 422) does not
 * hold the object back: the main part is written, then the rejection is thrown (the caller reports it). Then
 * the handlers' transformation functions (`patch.fns`), as guarded JSON patches.
 */
export async function writeMergePatch(
  client: KubeClient,
  resource: Resource,
  body: Body,
  patch: Patch,
): Promise<WriteResult> {
  const hasStatus = resource.subresources.includes('status');
  const { main, status } = splitStatus(patch, hasStatus);
  let current = body;
  let requests = 0;
  let rejected: ApiError | null = null;
  try {
    if (status && !patchIsNoop(current, status)) {
      try {
        current = await patchObject(client, resource, refOf(body), status, {
          type: 'merge',
          subresource: 'status',
        });
      } catch (err) {
        // Rejected for good (forbidden, invalid): the rest is still written, then the rejection is reported.
        // Anything transient (5xx, 429, the network) stops here: nothing is marked done without its results.
        if (!isRejection(err)) throw err;
        rejected = err;
      }
      requests++;
      faultPoint('after-status-write');
    }
    if (main && !patchIsNoop(current, main)) {
      current = await patchObject(client, resource, refOf(body), main, { type: 'merge' });
      requests++;
    }
    const fns = (patch as Partial<Patch>).fns;
    if (fns && fns.length > 0) {
      const transformed = await writeTransformations(client, resource, current, fns, hasStatus);
      current = transformed.body;
      requests += transformed.requests;
    }
  } catch (err) {
    if (err instanceof ApiNotFoundError) return { body: current, requests: requests + 1, gone: true };
    throw err;
  }
  if (rejected) throw rejected;
  return { body: current, requests, gone: false };
}

/** How many times the transformation functions are applied to a re-read body when the object moved meanwhile. */
const TRANSFORMATION_ATTEMPTS = 3;

/**
 * Kopf's `patch.fns`: applies the functions to a copy of the freshest body and sends the difference as JSON
 * patches guarded by its resourceVersion (the object's part, then the status's). When the object moved meanwhile
 * (422 from the guard), re-reads it and applies the functions again (they must be safe to call repeatedly, as
 * in Kopf), a few times; then the 422 propagates and the reaction is retried.
 */
async function writeTransformations(
  client: KubeClient,
  resource: Resource,
  body: Body,
  fns: readonly PatchFn[],
  hasStatus: boolean,
): Promise<{ body: Body; requests: number }> {
  let current = body;
  let requests = 0;
  for (let attempt = 1; ; attempt++) {
    const { main, status } = transformationPatches(current, fns, hasStatus);
    try {
      if (main.length > 0) {
        current = await patchObject(client, resource, refOf(body), guarded(current, main), { type: 'json' });
        requests++;
      }
      if (status.length > 0) {
        current = await patchObject(client, resource, refOf(body), guarded(current, status), {
          type: 'json',
          subresource: 'status',
        });
        requests++;
      }
      return { body: current, requests };
    } catch (err) {
      if (!(err instanceof ApiUnprocessableError) || attempt >= TRANSFORMATION_ATTEMPTS) throw err;
      current = await getObject(client, resource, refOf(body));
      requests++;
    }
  }
}

/** A 4xx answer that a retry of the same request would get again (not 401, 404, 409 or 429): rejected for good. */
export function isRejection(err: unknown): err is ApiError {
  return (
    err instanceof ApiError &&
    err.status >= 400 &&
    err.status < 500 &&
    ![401, 404, 409, 429].includes(err.status)
  );
}

function refOf(body: Body): { namespace?: string | undefined; name: string } {
  return { namespace: body.metadata.namespace, name: body.metadata.name ?? '' };
}
