/**
 * Runs the `kopf.on.probe` handlers once each, all at once, for the liveness endpoint: an `async function` in
 * the event loop, a plain `function` on the worker pool, with Kopf's activity kwargs (`logger`, `memo`,
 * `settings`, `param`, `retry`, `started`, `runtime`, `activity: 'probe'`). Each collection starts afresh
 * (Kopf's probing starts every collection from scratch) and makes one attempt per probe: a failure is
 * reported at once instead of being retried inside the HTTP request. Called by src/engine/liveness.ts.
 */
import type { OperatorSettings } from '../model/settings.ts';
import type { Registry } from '../handlers/registry.ts';
import { attempt } from '../execution/attempt.ts';
import { activityKwargs } from './activities.ts';
import { invoke } from '../execution/invoke.ts';
import type { WorkerPool } from '../execution/pool.ts';
import type { Logger } from '../observe/log.ts';
import type { ProbeCollection } from '../observe/liveness.ts';

/** What the probes get and where they run. */
export interface ProbeContext {
  registry: Registry;
  settings: OperatorSettings;
  logger: Logger;
  memo: object;
  /** The operator's indexes by id, as every handler gets them. */
  indexes?: Readonly<Record<string, unknown>> | undefined;
  /** The operator's worker pool, for plain probes (null: they run inline). */
  pool: WorkerPool | null;
}

/** Runs every probe handler once; never rejects for what a probe does. */
export async function runProbes(ctx: ProbeContext): Promise<ProbeCollection> {
  const handlers = ctx.registry.activityHandlers('probe');
  const outcomes = await Promise.all(
    handlers.map(async (handler) => {
      const started = Date.now();
      const kwargs = activityKwargs('probe', handler, ctx, 0, started, started);
      const result = await attempt({
        handler,
        title: 'Activity',
        retries: 0,
        runtime: 0,
        defaultBackoff: ctx.settings.execution.defaultBackoff,
        logger: ctx.logger,
        invoke: async () => await invoke({ handler, kwargs, pool: ctx.pool }),
      });
      return { id: handler.id, result };
    }),
  );
  const collection: ProbeCollection = { results: {}, failures: [] };
  for (const { id, result } of outcomes) {
    if (result.error !== undefined) collection.failures.push(`Probe '${id}' failed: ${result.error}`);
    else if (result.final) collection.results[id] = result.result;
  }
  return collection;
}
