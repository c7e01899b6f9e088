/**
 * Releasing a deleted object: removing our finalizer once its delete handlers are finished (succeeded or
 * failed for good), so Kubernetes can delete it. Provided to machines/object.ts as its `release` actor by
 * src/engine/object-actor.ts. The JSON patch is guarded by the resourceVersion; when another controller
 * changed the object meanwhile (422), the newest body is read and the removal retried.
 */
import type { Body } from '../model/body.ts';
import { hasFinalizer, removeFinalizerOps } from '../model/finalizers.ts';
import { getObject } from '../kube/objects.ts';
import { ApiNotFoundError, ApiUnprocessableError, ApiConflictError } from '../kube/errors.ts';
import type { ObjectServices } from './services.ts';
import { writeJsonPatch } from './writer.ts';

/** Removes our finalizer from `body`'s object; resolves with the newest body (or gone). */
export async function release(services: ObjectServices, input: { body: Body; signal: AbortSignal }): Promise<{ body?: Body; gone?: boolean }> {
  const finalizer = services.settings.persistence.finalizer;
  let body = input.body;
  for (let attempt = 1; ; attempt++) {
    if (!hasFinalizer(body, finalizer)) return { body };
    services.logger.debug('Removing the finalizer, thus allowing the actual deletion.');
    try {
      const written = await writeJsonPatch(services.client, services.resource, body, removeFinalizerOps(body, finalizer));
      services.timeline?.({ type: 'patch', what: 'release', patch: removeFinalizerOps(body, finalizer) });
      return written.gone ? { gone: true } : { body: written.body };
    } catch (err) {
      if (!(err instanceof ApiUnprocessableError || err instanceof ApiConflictError) || attempt >= 5 || input.signal.aborted) throw err;
      try {
        body = await getObject(services.client, services.resource, { namespace: body.metadata.namespace, name: body.metadata.name ?? '' });
      } catch (readErr) {
        if (readErr instanceof ApiNotFoundError) return { gone: true };
        throw readErr;
      }
    }
  }
}
