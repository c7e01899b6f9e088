/**
 * One watch loop per (resource × namespace): feeds every event to the resource's event handlers and to the
 * dispatcher. The loop never ends until the operator stops (src/kube/watch.ts restarts failed watches; this
 * loop restarts the stream itself should it ever end or throw). Started and stopped by src/engine/operator.ts.
 * Each loop keeps a health record on the operator's {@link WatchHealthBoard} (for the liveness endpoint).
 */
import { resourceName } from '../model/resource.ts';
import { watchObjects } from '../kube/watch.ts';
import type { Logger } from '../observe/log.ts';
import type { Dispatcher } from './dispatcher.ts';
import { runEventHandlers } from './event-handlers.ts';
import { changingHandlersOf, eventHandlersOf, type ResourceContext } from './resource-services.ts';
import { spawningHandlersOf } from './background.ts';
import type { WatchHealthBoard } from './watch-health.ts';
import type { MetricsRecorder } from '../observe/metrics-recorder.ts';
import { indexEvent } from '../indexing/indexer.ts';
import { indexingTargetOf } from './index-target.ts';

/** A running watch loop. */
export interface Watcher {
  key: string;
  stop(): void;
  done: Promise<void>;
  /** Resolves once the initial LIST is done (the objects are dispatched and the WATCH begins). */
  listed: Promise<void>;
}

/** Starts watching one resource in one namespace (or cluster-wide). */
export function startWatcher(ctx: ResourceContext, namespace: string | undefined, dispatcher: Dispatcher, logger: Logger, memo: object, watches?: WatchHealthBoard): Watcher {
  const metrics: MetricsRecorder | undefined = ctx.metrics;
  const plural = ctx.resource.plural;
  const key = `${resourceName(ctx.resource)}${namespace ? `@${namespace}` : ''}`;
  const where = `${resourceName(ctx.resource)}${namespace ? ` in ${namespace}` : ' cluster-wide'}`;
  const abort = new AbortController();
  const health = watches?.track(where);
  let markListed = (): void => {};
  const listed = new Promise<void>((resolve) => (markListed = resolve));
  const hasChanging = changingHandlersOf(ctx).length > 0 || spawningHandlersOf(ctx).length > 0;
  const watchLogger = {
    debug: (m: string) => logger.debug(m),
    warn: (m: string) => logger.warn(m),
    error: (m: string) => logger.error(m),
  };
  // Indexes (docs/indexes.md): every event is indexed first; with indexes, everything else waits until every
  // indexed resource was fully listed once (this watch blocks readiness until its first LIST is indexed).
  const indexing = ctx.indexing;
  const indexTarget = indexingTargetOf(ctx, logger, memo);
  const blocker = `watch ${key}`;
  if (indexTarget) indexing?.readiness.block(blocker);
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      const shardSelector = ctx.shardSelector?.();
      if (shardSelector === null) {
        // Sharded on the server and no shard held: nothing to watch until the shards change (a restart).
        if (indexTarget) indexing?.readiness.unblock(blocker);
        markListed();
        await new Promise((resolve) => abort.signal.addEventListener('abort', resolve, { once: true }));
        break;
      }
      try {
        for await (const item of watchObjects({
          shardSelector,
          client: ctx.client,
          resource: ctx.resource,
          namespace,
          signal: abort.signal,
          logger: watchLogger,
          inactivityTimeout: ctx.settings.watching.inactivityTimeout,
          serverTimeout: ctx.settings.watching.serverTimeout,
          reconnectBackoff: ctx.settings.watching.reconnectBackoff,
          pageSize: ctx.settings.watching.listPageSize,
          streamingLists: ctx.settings.watching.streamingLists,
          keepManagedFields: ctx.settings.watching.keepManagedFields,
          ...(health ? { health } : {}),
          ...(metrics ? { onRestart: (reason: string) => metrics.watchRestart(plural, reason) } : {}),
        })) {
          if (item.kind === 'listed') {
            const part = shardSelector !== undefined ? ' of the held shards' : '';
            if (item.relist) metrics?.relist(plural);
            const how = item.streamed ? 'streamed' : 'listed';
            if (item.relist) logger.info(`Re-listed ${where}: ${item.count} objects${part} ${how}.`);
            else logger.info(`Watching ${where} (${item.count} objects${part} ${how}).`);
            if (indexTarget) indexing?.readiness.unblock(blocker);
            markListed();
            continue;
          }
          const event = item.event;
          metrics?.watchEvent(plural, event.type ?? 'LISTED');
          if (indexTarget && indexing) await indexEvent(indexing, indexTarget, event);
          const deliver = (): void => {
            const eventHandlers = eventHandlersOf(ctx);
            if (eventHandlers.length && dispatcher.owns(event.object)) {
              const run = (): Promise<void> => runEventHandlers(ctx, eventHandlers, event, logger, memo);
              if (ctx.eventQueues) ctx.eventQueues.enqueue(resourceName(ctx.resource), event, run);
              else void run();
            }
            if (hasChanging) dispatcher.dispatch(resourceName(ctx.resource), event);
          };
          if (indexing) indexing.readiness.run(deliver);
          else deliver();
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        metrics?.watchRestart(plural, 'error');
        if (health) {
          health.failingSince ??= Date.now();
          health.lastError = `the watch loop failed: ${(err as Error).message}`;
        }
        logger.error({ err }, `The watch loop of ${where} failed; restarting it: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const done = run().finally(() => {
    if (health) watches?.untrack(where, health);
    indexing?.readiness.unblock(blocker);
  });
  return { key, stop: () => abort.abort(), done, listed };
}
