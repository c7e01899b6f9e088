/**
 * The kwargs object a handler receives, built with Kopf's names (DESIGN §1) from the body and the cause.
 * Used by src/engine/resource-services.ts for change and event handlers (and for filter callbacks, which
 * get the cause kwargs without retry/started/runtime/param).
 */
import type { Body, RawEvent } from '../model/body.ts';
import type { Diff } from '../model/diff.ts';
import type { Patch } from '../model/patch.ts';
import type { Resource } from '../model/resource.ts';
import type { Logger } from '../observe/log.ts';

/** The parts every resource-handler kwargs object is built from. */
export interface KwargsBase {
  body: Body;
  resource: Resource;
  patch: Patch;
  logger: Logger;
  memo: object;
  /** The operator's indexes by id (src/indexing), given to every handler; absent without index handlers. */
  indexes?: Readonly<Record<string, unknown>> | undefined;
}

/** Kwargs of any resource handler: body, spec, meta, status, name, namespace, uid, labels, annotations, … */
export function resourceKwargs(base: KwargsBase): Record<string, unknown> {
  const { body } = base;
  const meta = body.metadata ?? {};
  return {
    body,
    spec: (body.spec as Record<string, unknown> | undefined) ?? {},
    meta,
    status: (body.status as Record<string, unknown> | undefined) ?? {},
    name: meta.name ?? null,
    namespace: meta.namespace ?? null,
    uid: meta.uid ?? null,
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    resource: base.resource,
    patch: base.patch,
    logger: base.logger,
    memo: base.memo,
    ...base.indexes,
  };
}

/** Cause kwargs of a change: reason, diff, old, new. */
export function changeKwargs(base: KwargsBase, cause: { reason: string; diff: Diff; old: unknown; new: unknown }): Record<string, unknown> {
  return { ...resourceKwargs(base), reason: cause.reason, diff: cause.diff, old: cause.old, new: cause.new };
}

/** Cause kwargs of a raw event: type, event. */
export function eventKwargs(base: KwargsBase, event: RawEvent): Record<string, unknown> {
  return { ...resourceKwargs(base), type: event.type, event };
}

/** The invocation extras: param, retry, started, runtime. */
export function invocationKwargs(param: unknown, retry: number, startedMs: number, nowMs: number): Record<string, unknown> {
  return { param, retry, started: new Date(startedMs), runtime: (nowMs - startedMs) / 1000 };
}
