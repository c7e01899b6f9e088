/**
 * Operator activities: `on.startup` handlers run before anything else (all of them, retried until every one
 * succeeded; a permanent failure stops the operator), `on.cleanup` handlers after everything stopped. They
 * get the operator-wide `memo` and the mutable `settings`. Called by src/engine/operator.ts (`activityKwargs` also by
 * login.ts).
 */
import type { OperatorSettings } from '../model/settings.ts';
import type { Registry } from '../handlers/registry.ts';
import { attempt } from '../execution/attempt.ts';
import type { Logger } from '../observe/log.ts';

/** Context of {@link runActivities}. */
export interface ActivityContext {
  settings: OperatorSettings;
  logger: Logger;
  memo: object;
  signal: AbortSignal;
  /** The operator's indexes by id (maybe still incomplete, as in Kopf). */
  indexes?: Readonly<Record<string, unknown>> | undefined;
}

/** The kwargs of an activity handler (startup, cleanup, login): Kopf's activity kwargs. */
export function activityKwargs(
  activity: string,
  handler: { param: unknown },
  ctx: Pick<ActivityContext, 'logger' | 'memo' | 'settings' | 'indexes'>,
  retries: number,
  started: number,
  now: number,
): Record<string, unknown> {
  return {
    ...ctx.indexes,
    logger: ctx.logger,
    memo: ctx.memo,
    settings: ctx.settings,
    param: handler.param,
    retry: retries,
    started: new Date(started),
    runtime: (now - started) / 1000,
    activity,
  };
}

/** Runs every handler of the activity until all succeeded; throws if one fails for good. */
export async function runActivities(
  registry: Registry,
  activity: 'startup' | 'cleanup',
  ctx: ActivityContext,
): Promise<void> {
  const pending = new Map(
    registry.activityHandlers(activity).map((h) => [h.id, { handler: h, retries: 0, started: Date.now() }]),
  );
  while (pending.size > 0 && !ctx.signal.aborted) {
    let delay = Infinity;
    for (const [id, state] of pending) {
      const now = Date.now();
      const result = await attempt({
        handler: state.handler,
        title: 'Activity',
        retries: state.retries,
        runtime: (now - state.started) / 1000,
        defaultBackoff: ctx.settings.execution.defaultBackoff,
        logger: ctx.logger,
        invoke: async () =>
          await state.handler.fn(
            activityKwargs(activity, state.handler, ctx, state.retries, state.started, now),
          ),
      });
      state.retries++;
      if (result.final) {
        if (result.error) throw new Error(`Activity '${id}' failed permanently: ${result.error}`);
        pending.delete(id);
      } else {
        delay = Math.min(delay, result.delay ?? 0);
      }
    }
    if (pending.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, delay) * 1000);
        ctx.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }
}
