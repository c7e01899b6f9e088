/**
 * Indexing one watch event (Kopf §11): for every index handler of the resource, an object that matches the
 * filters is indexed with the handler's result (a `Map` or plain object: keys → values; another value: under
 * the `null` key; nothing: the values are kept); one that does not match, a DELETED event, or a failure
 * (temporary: until its delay is over; permanent: while the operator runs) removes the object's values.
 * Errors are `'ignored'` by default (stale values are kept). Never throws. Called by src/engine/watchers.ts
 * before the event goes anywhere else.
 */
import type { Body, RawEvent } from '../model/body.ts';
import { indexPairs } from '../model/indexes.ts';
import { resourceName, type Resource } from '../model/resource.ts';
import type { IndexHandler } from '../handlers/handler.ts';
import { matchFilters } from '../handlers/filters.ts';
import { attempt, type AttemptLogger } from '../execution/attempt.ts';
import { invoke } from '../execution/invoke.ts';
import type { WorkerPool } from '../execution/pool.ts';
import type { OperatorIndexes } from './indexes.ts';

/** What indexing needs of the resource (the engine provides it). */
export interface IndexingTarget {
  resource: Resource;
  /** The index handlers serving this resource. */
  handlers: readonly IndexHandler[];
  /** The operator's pool (plain index handlers run there); null: inline. */
  pool: WorkerPool | null;
  defaultBackoff: number;
  /** The cause kwargs of the object (body, spec, …, logger, memo), plus the invocation's when given. */
  kwargs(
    body: Body,
    invocation?: { param: unknown; retry: number; started: number; now: number },
  ): Record<string, unknown>;
  /** The object's logger. */
  logger(body: Body): AttemptLogger;
}

/** The key of an object in the indexes: its resource and uid (or namespace/name, for the rare object without a uid). */
export function objectKeyOf(resource: Resource, body: Body): string {
  const meta = body.metadata ?? {};
  return `${resourceName(resource)}/${meta.uid ?? `${meta.namespace ?? ''}/${meta.name ?? ''}`}`;
}

/** Updates the indexes from one event. */
export async function indexEvent(
  indexes: OperatorIndexes,
  target: IndexingTarget,
  event: RawEvent,
): Promise<void> {
  if (target.handlers.length === 0) return;
  const body = event.object as Body;
  const objectKey = objectKeyOf(target.resource, body);
  if (event.type === 'DELETED') {
    indexes.forgetObject(objectKey);
    return;
  }
  const logger = terse(target.logger(body));
  let cause: Record<string, unknown> | null = null;
  const causeKwargs = (): Record<string, unknown> => (cause ??= target.kwargs(body));
  for (const handler of target.handlers) {
    const contents = indexes.contents(handler.id);
    try {
      if (!matchFilters(handler.filters, handler.field, { body, kwargs: causeKwargs })) {
        contents.discard(objectKey);
        indexes.setFailure(handler.id, objectKey, undefined);
        continue;
      }
      const now = Date.now();
      const failure = indexes.failure(handler.id, objectKey);
      if (failure && (failure.permanent || failure.until > now)) continue;
      const retry = failure?.retries ?? 0;
      const started = failure?.started ?? now;
      const result = await attempt({
        handler,
        retries: retry,
        runtime: (now - started) / 1000,
        defaultBackoff: target.defaultBackoff,
        logger,
        invoke: () =>
          invoke({
            handler,
            kwargs: target.kwargs(body, { param: handler.param, retry, started, now }),
            pool: target.pool,
          }),
      });
      if (!result.final || result.error !== undefined) {
        contents.discard(objectKey);
        const until = Date.now() + Math.max(0, result.delay ?? 0) * 1000;
        indexes.setFailure(handler.id, objectKey, {
          retries: retry + 1,
          started,
          until,
          permanent: result.final,
        });
        continue;
      }
      indexes.setFailure(handler.id, objectKey, undefined);
      const pairs = indexPairs(result.result);
      if (pairs) contents.replace(objectKey, pairs);
    } catch (err) {
      contents.discard(objectKey);
      logger.error(`Indexer '${handler.id}' returned what cannot be indexed: ${(err as Error).message}`);
    }
  }
}

/** Kopf's terse indexing logs: the success lines only at debug level, warnings and errors as they are. */
function terse(logger: AttemptLogger): AttemptLogger {
  return {
    debug: (m) => logger.debug(m),
    info: (m) => logger.debug(m),
    warn: (m) => (logger.warn ?? logger.error).call(logger, m),
    error: (m) => logger.error(m),
  };
}
