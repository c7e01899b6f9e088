/**
 * Running `on.event` handlers for every raw watch event of their resource (including the initial listing):
 * the handlers of one event one after another, errors logged and ignored (Kopf's `errors: 'ignored'` for event
 * handlers); their results and `patch` are written (only when they change something). Called by
 * src/engine/watchers.ts through the object's queue (src/engine/event-queues.ts: in order per object, within
 * the operator's workerLimit).
 */
import type { Body, RawEvent } from '../model/body.ts';
import { newPatch } from '../model/patch.ts';
import { deliverResultIfChanged } from '../model/results.ts';
import type { EventHandler } from '../handlers/handler.ts';
import { matchFilters } from '../handlers/filters.ts';
import { attempt } from '../execution/attempt.ts';
import { invoke } from '../execution/invoke.ts';
import { invocationData } from '../execution/handler-context.ts';
import { objectLogger, type Logger } from '../observe/log.ts';
import { outcomeOf } from '../observe/metrics-recorder.ts';
import { eventKwargs, invocationKwargs } from './kwargs.ts';
import type { ResourceContext } from './resource-services.ts';
import { writeMergePatch } from './writer.ts';

/** Runs the matching event handlers for one event; never throws. */
export async function runEventHandlers(
  ctx: ResourceContext,
  handlers: readonly EventHandler[],
  event: RawEvent,
  rootLogger: Logger,
  memo: object,
): Promise<void> {
  if (handlers.length === 0) return;
  const body = event.object as Body;
  const meta = body.metadata ?? {};
  const logger = objectLogger(rootLogger, {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    kind: body.kind,
  });
  const patch = newPatch();
  const kwargs = eventKwargs({ body, resource: ctx.resource, patch, logger, memo, indexes: ctx.indexing?.kwargs }, event);
  for (const handler of handlers) {
    try {
      if (!matchFilters(handler.filters, handler.field, { body, kwargs: () => kwargs })) continue;
      const now = Date.now();
      const result = await attempt({
        handler,
        retries: 0,
        runtime: 0,
        defaultBackoff: ctx.settings.execution.defaultBackoff,
        logger,
        invoke: () =>
          invoke({
            handler,
            kwargs: { ...kwargs, ...invocationKwargs(handler.param, 0, now, now) },
            pool: ctx.pool,
            context: invocationData(undefined, ctx.postEvent), // this operator's Events, also from a plain handler on the pool
          }),
      });
      ctx.metrics?.handlerRun(handler.id, 'event', outcomeOf(result), (Date.now() - now) / 1000);
      if (result.final && result.result !== undefined && event.type !== 'DELETED') {
        deliverResultIfChanged(patch, body, handler.id, result.result, {
          rewriteUnchanged: ctx.settings.persistence.rewriteUnchangedResults,
        });
      }
    } catch (err) {
      logger.error({ err }, `Event handler '${handler.id}' could not run: ${(err as Error).message}`);
    }
  }
  if (event.type === 'DELETED') return;
  try {
    await writeMergePatch(ctx.client, ctx.resource, body, patch);
  } catch (err) {
    logger.warn(`Writing the results of event handlers failed: ${(err as Error).message}`);
  }
}
