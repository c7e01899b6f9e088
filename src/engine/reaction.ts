/**
 * One reaction of an object actor to a changing cause (create, update, resume, delete): Kopf's
 * `process_changing_cause`, with all due handlers run in one cycle (Kopf's `all_at_once`) so that one cycle
 * writes once. Provided to machines/object.ts as its `react` actor by src/engine/object-actor.ts.
 *
 * Steps: select the handlers for the cause; add the finalizer first if a handler (or a daemon or timer) needs it (an rv-guarded
 * JSON patch, before any handler runs, as Kopf); load each handler's progress; re-purpose or purge records of
 * a superseded cause; run every awakened handler; store progress (or, when all are finished, purge it and
 * write the diff-base); write the merge patches; tell the machine whether it is done or when to retry.
 */
import type { Body } from '../model/body.ts';
import type { Diff } from '../model/diff.ts';
import { reduceDiff } from '../model/diff.ts';
import { resolve as resolveField } from '../model/dicts.ts';
import { addFinalizerOps, hasFinalizer, removeFinalizerOps } from '../model/finalizers.ts';
import { newPatch, type Patch } from '../model/patch.ts';
import {
  delayOf,
  isAwakened,
  isFinished,
  newRecord,
  normalizeRecord,
  withOutcome,
  withPurpose,
  type ProgressRecord,
} from '../model/progress.ts';
import { purgeRecords, writeRecord } from '../model/progress-storages.ts';
import { storagesOf } from '../model/storages.ts';
import { deliverResultIfChanged } from '../model/results.ts';
import { redactBody } from '../model/sensitive.ts';
import type { ChangingCause, ObjectServices, ReactionOutput, HandlerAttempt } from './services.ts';
import { writeJsonPatch, writeMergePatch } from './writer.ts';
import { changeState } from './change-state.ts';

const TITLES: Record<ChangingCause, string> = { create: 'creation', update: 'updating', resume: 'resuming', delete: 'deletion' };

/** Kopf's "Title" of a cause: Creation, Updating, Resuming, Deletion. */
export function titleOf(cause: ChangingCause): string {
  const title = TITLES[cause];
  return title[0]!.toUpperCase() + title.slice(1);
}

/** Runs one reaction. Never throws for handler errors (they are outcomes); API errors propagate (→ throttled). */
export async function react(services: ObjectServices, input: { body: Body; cause: ChangingCause; initial: boolean; signal: AbortSignal }): Promise<ReactionOutput> {
  const { settings, logger } = services;
  const { cause, initial, signal } = input;
  let body = input.body;
  const state = changeState(services, body);
  const handlers = services.selectChanging(cause, body, state, initial);
  const storages = storagesOf(settings);
  const title = titleOf(cause);

  // The finalizer first (Kopf's order): an rv-guarded JSON patch; handlers run on the patched body.
  const finalizer = settings.persistence.finalizer;
  if (cause !== 'delete') {
    const required = services.requiresFinalizer(body);
    if (required && !hasFinalizer(body, finalizer)) {
      logger.debug('Adding the finalizer, thus preventing the actual deletion.');
      const written = await writeJsonPatch(services.client, services.resource, body, addFinalizerOps(body, finalizer));
      services.timeline?.({ type: 'patch', what: 'finalizer', patch: addFinalizerOps(body, finalizer) });
      if (written.gone) return { outcome: 'done', gone: true };
      body = written.body;
    } else if (!required && hasFinalizer(body, finalizer)) {
      logger.debug('Removing the finalizer, as there are no handlers requiring it.');
      const written = await writeJsonPatch(services.client, services.resource, body, removeFinalizerOps(body, finalizer));
      services.timeline?.({ type: 'patch', what: 'finalizer', patch: removeFinalizerOps(body, finalizer) });
      if (written.gone) return { outcome: 'done', gone: true };
      body = written.body;
    }
  }

  // Stealth mode: no change handler pre-matches this object (daemons and timers may still need the finalizer,
  // handled above); nothing is stored. A body we wrote goes back to the machine as the newest.
  if (!services.anyChangingPrematches(body)) {
    return body === input.body ? { outcome: 'done' } : { outcome: 'done', body };
  }

  const now = services.now();
  const patch = newPatch();
  const origins: Record<string, ProgressRecord | null> = {};
  const records: Record<string, ProgressRecord> = {};

  // Everything stored for this resource's change handlers, to find records of a superseded cause.
  const stored: Record<string, ProgressRecord> = {};
  for (const id of services.changingHandlerIds()) {
    const found = storages.progress.fetch({ key: id, body, onMalformed: (key, err) => logger.warn(`Ignoring an unreadable progress record ${key}: ${err.message}`) });
    if (found) stored[id] = normalizeRecord(found, now);
  }
  const selectedIds = new Set(handlers.map((h) => h.id));
  const superseded = Object.entries(stored).filter(([, r]) => r.purpose && r.purpose !== cause);
  if (superseded.length > 0) {
    const extra = superseded[0]![1].purpose as ChangingCause;
    const succeeded = superseded.filter(([, r]) => r.success).length;
    const failed = superseded.filter(([, r]) => r.failure).length;
    const left = superseded.length - succeeded - failed;
    logger.info(`${titleOf(extra)} is superseded by ${title.toLowerCase()}: ${succeeded} succeeded; ${failed} failed; ${left} left to the moment.`);
  }
  for (const handler of handlers) {
    const found = stored[handler.id];
    origins[handler.id] = found ?? null;
    if (!found) records[handler.id] = newRecord(now, cause);
    else if (found.purpose && found.purpose !== cause) records[handler.id] = newRecord(now, cause);
    else records[handler.id] = withPurpose(found, cause);
  }
  // Records of a superseded cause for handlers not selected now are purged; selected ones were re-purposed
  // above and are written afresh (purging them too would erase the new records).
  const staleIds = Object.keys(stored).filter((id) => !selectedIds.has(id) && stored[id]!.purpose && stored[id]!.purpose !== cause);

  logger.debug(`${title} is in progress: ${JSON.stringify(redactBody(body, services.sensitiveFields ?? []))}`);
  if (state.diff.length) logger.debug(`${title} diff: ${JSON.stringify(state.diff)}`);

  // Run every awakened handler, in registration order.
  for (const handler of handlers) {
    if (signal.aborted) break;
    const record = records[handler.id]!;
    if (!isAwakened(record, services.now())) continue;
    const attempt: HandlerAttempt = await services.runChanging(handler, {
      body,
      cause,
      record,
      patch,
      diff: handler.field ? reduceDiff(state.diff, handler.field) : state.diff,
      old: handler.field ? fieldValue(state.old, handler.field) : state.old,
      new: handler.field ? fieldValue(state.new, handler.field) : state.new,
      signal,
    });
    records[handler.id] = withOutcome(record, attempt.outcome, services.now());
    if (attempt.outcome.final && !attempt.outcome.error && attempt.result !== undefined) {
      deliverResultIfChanged(patch, body, handler.id, attempt.result, { rewriteUnchanged: settings.persistence.rewriteUnchangedResults });
    }
  }

  const all = Object.values(records);
  const done = all.every(isFinished);
  if (done) {
    const succeeded = all.filter((r) => r.success).length;
    const failed = all.filter((r) => r.failure).length;
    if (handlers.length > 0) logger.info(`${title} is processed: ${succeeded} succeeded; ${failed} failed.`);
    purgeRecords(storages.progress, { body, patch, handlerIds: [...selectedIds, ...staleIds], records: { ...stored, ...records } });
    if (cause !== 'delete') storages.diffbase.store({ body, patch, essence: state.new });
  } else {
    for (const [id, record] of Object.entries(records)) writeRecord(storages.progress, { key: id, record, origin: origins[id] ?? null, body, patch });
    const staleRecords = Object.fromEntries(staleIds.map((id) => [id, stored[id]!]));
    purgeRecords(storages.progress, { body, patch, handlerIds: staleIds, records: staleRecords });
  }

  // Stopped meanwhile (operator shutdown): write nothing, so no half-done cycle is recorded; the handlers
  // that ran will run again after a restart, as in Kopf when a handler is cancelled.
  if (signal.aborted) {
    logger.warn(`${title} was interrupted by the operator's stop; it will continue after a restart.`);
    return { outcome: 'delayed', delay: 0 };
  }
  const written = await writeMergePatch(services.client, services.resource, body, patch);
  if (written.requests > 0) services.timeline?.({ type: 'patch', what: done ? 'done' : 'progress', patch });
  if (written.gone) return { outcome: 'done', gone: true };
  if (done) return { outcome: 'done', body: written.body };
  const delays = all.map((r) => delayOf(r, services.now())).filter((d): d is number => d !== null);
  const delay = Math.min(...delays);
  if (delay > 0) logger.debug(`Sleeping for ${delay} seconds for the delayed handlers.`);
  return { outcome: 'delayed', delay, body: written.body };
}

function fieldValue(essence: unknown, field: readonly string[]): unknown {
  const value = resolveField(essence, field);
  return value === undefined ? null : value;
}

export type { Diff, Patch };
