/**
 * What src/indexing needs of one watched resource: its index handlers, the operator's pool and the kwargs and
 * logger of an object, built the way the engine builds them for every other handler. Index handlers get no
 * indexes among their kwargs (they are being filled; on the pool each call would ship them all) and a `patch`
 * that is not applied (as in Kopf). Called by src/engine/watchers.ts.
 */
import type { Body } from '../model/body.ts';
import { newPatch } from '../model/patch.ts';
import type { IndexHandler } from '../handlers/handler.ts';
import type { IndexingTarget } from '../indexing/indexer.ts';
import { objectLogger, type Logger } from '../observe/log.ts';
import { invocationKwargs, resourceKwargs } from './kwargs.ts';
import type { ResourceContext } from './resource-services.ts';

/** The index handlers that serve this resource. */
export function indexHandlersOf(ctx: ResourceContext): IndexHandler[] {
  return ctx.registry.indexHandlers(ctx.resource).filter((h) => ctx.selectors.has(h.selector));
}

/** The indexing target of a resource, or `null` when the operator has no indexes or none serves it. */
export function indexingTargetOf(
  ctx: ResourceContext,
  rootLogger: Logger,
  memo: object,
): IndexingTarget | null {
  if (!ctx.indexing || indexHandlersOf(ctx).length === 0) return null;
  const loggerOf = (body: Body): Logger => {
    const meta = body.metadata ?? {};
    return objectLogger(rootLogger, {
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      kind: body.kind,
    });
  };
  return {
    resource: ctx.resource,
    get handlers() {
      return indexHandlersOf(ctx);
    },
    pool: ctx.pool,
    defaultBackoff: ctx.settings.execution.defaultBackoff,
    kwargs: (body, invocation) => ({
      ...resourceKwargs({ body, resource: ctx.resource, patch: newPatch(), logger: loggerOf(body), memo }),
      ...(invocation
        ? invocationKwargs(invocation.param, invocation.retry, invocation.started, invocation.now)
        : {}),
    }),
    logger: loggerOf,
  };
}
