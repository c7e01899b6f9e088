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
import { createHash, randomBytes } from 'node:crypto';
import type { Body } from '../model/body.ts';
import type { Diff } from '../model/diff.ts';
import { reduceDiff } from '../model/diff.ts';
import { resolve as resolveField } from '../model/dicts.ts';
import { addFinalizerOps, hasFinalizer, removeFinalizerOps } from '../model/finalizers.ts';
import { drainPatch, newPatch, splitStatus, type Patch } from '../model/patch.ts';
import {
  delayOf,
  isAwakened,
  isFinished,
  newRecord,
  normalizeRecord,
  recordFailure,
  recordSuccess,
  withOutcome,
  withPurpose,
  type ProgressRecord,
} from '../model/progress.ts';
import { purgeRecords, writeRecord } from '../model/progress-storages.ts';
import {
  changeTag,
  clearMarks,
  handledMarks,
  liveChange,
  markHandled,
  marksStored,
  spendMarks,
} from '../model/handled-marks.ts';
import { storagesOf } from '../model/storages.ts';
import { deliverResultIfChanged } from '../model/results.ts';
import { redactBody } from '../model/sensitive.ts';
import type { ChangingCause, ObjectServices, ReactionOutput, HandlerAttempt } from './services.ts';
import { writeJsonPatch, writeMergePatch, isRejection } from './writer.ts';
import { changeState } from './change-state.ts';

const TITLES: Record<ChangingCause, string> = {
  create: 'creation',
  update: 'updating',
  resume: 'resuming',
  delete: 'deletion',
};

/** Kopf's "Title" of a cause: Creation, Updating, Resuming, Deletion. */
export function titleOf(cause: ChangingCause): string {
  const title = TITLES[cause];
  return title[0]!.toUpperCase() + title.slice(1);
}

/** Runs one reaction. Never throws for handler errors (they are outcomes); API errors propagate (→ throttled). */
export async function react(
  services: ObjectServices,
  input: { body: Body; cause: ChangingCause; initial: boolean; signal: AbortSignal },
): Promise<ReactionOutput> {
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
      const written = await writeJsonPatch(
        services.client,
        services.resource,
        body,
        addFinalizerOps(body, finalizer),
      );
      services.timeline?.({ type: 'patch', what: 'finalizer', patch: addFinalizerOps(body, finalizer) });
      if (written.gone) return { outcome: 'done', gone: true };
      body = written.body;
    } else if (!required && hasFinalizer(body, finalizer)) {
      logger.debug('Removing the finalizer, as there are no handlers requiring it.');
      const written = await writeJsonPatch(
        services.client,
        services.resource,
        body,
        removeFinalizerOps(body, finalizer),
      );
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
    const found = storages.progress.fetch({
      key: id,
      body,
      onMalformed: (key, err) => logger.warn(`Ignoring an unreadable progress record ${key}: ${err.message}`),
    });
    if (found) stored[id] = normalizeRecord(found, now);
  }
  const selectedIds = new Set(handlers.map((h) => h.id));
  const superseded = Object.entries(stored).filter(([, r]) => r.purpose && r.purpose !== cause);
  if (superseded.length > 0) {
    const extra = superseded[0]![1].purpose as ChangingCause;
    const succeeded = superseded.filter(([, r]) => r.success).length;
    const failed = superseded.filter(([, r]) => r.failure).length;
    const left = superseded.length - succeeded - failed;
    logger.info(
      `${titleOf(extra)} is superseded by ${title.toLowerCase()}: ${succeeded} succeeded; ${failed} failed; ${left} left to the moment.`,
    );
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
  const staleIds = Object.keys(stored).filter(
    (id) => !selectedIds.has(id) && stored[id]!.purpose && stored[id]!.purpose !== cause,
  );

  logger.debug(`${title} is in progress: ${JSON.stringify(redactBody(body, services.sensitiveFields ?? []))}`);
  if (state.diff.length) logger.debug(`${title} diff: ${JSON.stringify(state.diff)}`);

  // Handlers marked as finished for this very change by an earlier, interrupted reaction (their results were
  // written with the marks): they are not run again (src/model/handled-marks.ts).
  const prefix = settings.persistence.prefix;
  const tag = changeTag(cause, state.old === null ? null : originDigest(state.old));
  const change = liveChange(body, tag, prefix) ?? `${tag}#${randomBytes(4).toString('hex')}`;
  for (const [id, succeeded] of handledMarks(body, change)) {
    const record = records[id];
    if (!record || isFinished(record)) continue;
    records[id] = succeeded
      ? recordSuccess(record, now)
      : recordFailure(record, 'Failed for good before a restart.', now);
    logger.debug(
      `Handler '${id}' is already ${succeeded ? 'done' : 'failed'} for this change (a handled mark); not run again.`,
    );
  }

  // Run every awakened handler, in registration order. A handler that finishes while siblings are still due
  // is made durable at once (docs/reliability.md): its result and its mark in one request (or its progress
  // record when it has no result), so a crash while the siblings run never runs it again.
  let latest = body;
  const finished = new Map<string, boolean>();
  const due = handlers.filter((h) => isAwakened(records[h.id]!, services.now()));
  for (const [index, handler] of due.entries()) {
    if (signal.aborted) break;
    const record = records[handler.id]!;
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
      deliverResultIfChanged(patch, body, handler.id, attempt.result, {
        rewriteUnchanged: settings.persistence.rewriteUnchangedResults,
      });
    }
    if (attempt.outcome.final) finished.set(handler.id, !attempt.outcome.error);
    const siblingsDue = index < due.length - 1;
    if (attempt.outcome.final && siblingsDue && !signal.aborted) {
      latest = await makeDurable(services, { body: latest, patch, change, finished, records, origins });
      if (latest === GONE) return { outcome: 'done', gone: true };
    }
  }

  const all = Object.values(records);
  const done = all.every(isFinished);
  // Whether the handlers changed more than `status` (see makeDurable: marks only ride with a status-only change).
  const hasStatus = services.resource.subresources.includes('status');
  const statusOnly = splitStatus(patch, hasStatus).main === null && patch.fns.length === 0;
  const hasResults = Object.keys(patch.status).some((key) => key !== 'kopf');
  if (done) {
    purgeRecords(storages.progress, {
      body: latest,
      patch,
      handlerIds: [...selectedIds, ...staleIds],
      records: { ...stored, ...records },
    });
    if (cause !== 'delete') storages.diffbase.store({ body: latest, patch, essence: state.new });
    const split = splitStatus(patch, hasStatus);
    if (split.main !== null && split.status !== null) {
      // Two requests, the results first: the marks ride with the results, so a crash before the object's write
      // does not run the handlers again; that write spends them with the diff-base.
      if (statusOnly && hasResults) markHandled(patch, latest, change, finished);
      spendMarks(patch, latest, change, prefix);
    } else if (hasStatus && split.main !== null) {
      // Only the object's write: it spends the marks of earlier writes (clearing them would take a request).
      spendMarks(patch, latest, change, prefix);
    } else if (split.main === null && split.status === null) {
      // Nothing to write (e.g. a deletion without results): no request just to tidy up. Only marks of this very
      // change (written early in this reaction) must not outlive it: they are spent, at the cost of one request.
      spendMarks(patch, latest, change, prefix);
    } else {
      // One request holding everything (the diff-base in status, or no status subresource): it is itself the
      // durable record, and takes the marks away with it.
      clearMarks(patch, latest);
    }
  } else {
    // The marks of the handlers finished since the last durable write ride along with their results (no
    // request of their own); the progress records follow in the object's write.
    if (statusOnly && hasResults) markHandled(patch, latest, change, finished);
    for (const [id, record] of Object.entries(records))
      writeRecord(storages.progress, { key: id, record, origin: origins[id] ?? null, body: latest, patch });
    const staleRecords = Object.fromEntries(staleIds.map((id) => [id, stored[id]!]));
    purgeRecords(storages.progress, { body: latest, patch, handlerIds: staleIds, records: staleRecords });
  }

  // Stopped meanwhile (operator shutdown): write nothing, so no half-done cycle is recorded; the handlers
  // that ran will run again after a restart, as in Kopf when a handler is cancelled.
  if (signal.aborted) {
    logger.warn(`${title} was interrupted by the operator's stop; it will continue after a restart.`);
    return { outcome: 'delayed', delay: 0 };
  }
  let written;
  try {
    written = await writeMergePatch(services.client, services.resource, latest, patch);
  } catch (err) {
    // Rejected for good (e.g. an annotation over the size limit): the finished handlers are marked in a small
    // write of their own, so the retries (with the error backoff) only retry the write, never the handlers.
    if (isRejection(err) && finished.size > 0) await markAfterRejection(services, latest, change, finished);
    throw err;
  }
  if (written.requests > 0) services.timeline?.({ type: 'patch', what: done ? 'done' : 'progress', patch });
  if (written.gone) return { outcome: 'done', gone: true };
  if (done) {
    const succeeded = all.filter((r) => r.success).length;
    const failed = all.filter((r) => r.failure).length;
    if (handlers.length > 0) logger.info(`${title} is processed: ${succeeded} succeeded; ${failed} failed.`);
    return { outcome: 'done', body: written.body };
  }
  const delays = all.map((r) => delayOf(r, services.now())).filter((d): d is number => d !== null);
  const delay = Math.min(...delays);
  if (delay > 0) logger.debug(`Sleeping for ${delay} seconds for the delayed handlers.`);
  return { outcome: 'delayed', delay, body: written.body };
}

/** A short digest of the essence a change started from (names the change in its handled marks). */
function originDigest(essence: object): string {
  return createHash('sha256').update(JSON.stringify(essence)).digest('hex').slice(0, 16);
}

/** Returned by {@link makeDurable} when the object is gone. */
const GONE = { metadata: {} } as Body;

/**
 * Writes what the handlers finished so far produced (the patch so far: results, their own patches), with what
 * makes their outcome durable in the first request that carries it: their marks with their results (the status
 * part, written first) when they changed nothing else, else their progress records with the object's part.
 * So a crash after the handled handlers' request never runs them again, and never loses their results or
 * patches. Leaves `patch` empty for the siblings. Returns the newest body.
 */
async function makeDurable(
  services: ObjectServices,
  args: {
    body: Body;
    patch: Patch;
    change: string;
    finished: Map<string, boolean>;
    records: Record<string, ProgressRecord>;
    origins: Record<string, ProgressRecord | null>;
  },
): Promise<Body> {
  const { body, change, finished } = args;
  const early = drainPatch(args.patch);
  const hasStatus = services.resource.subresources.includes('status');
  const { main, status } = splitStatus(early, hasStatus);
  const marked = main === null && status !== null && early.fns.length === 0;
  if (marked) markHandled(early, body, change, finished);
  else writeRecords(services, { ...args, patch: early });
  try {
    const written = await writeMergePatch(services.client, services.resource, body, early);
    if (written.gone) return GONE;
    if (written.requests > 0) services.timeline?.({ type: 'patch', what: 'progress', patch: early });
    if (marked && !marksStored(written.body, change, finished)) {
      // The API server dropped the marks (a status schema that prunes unknown fields): the records then.
      services.logger.debug(
        'The handled marks were not stored (pruned by the status schema?); writing progress records instead.',
      );
      return await writeRecordsAlone(services, { ...args, body: written.body });
    }
    return written.body;
  } catch (err) {
    if (!isRejection(err)) throw err;
    // Results the API server refuses (e.g. against the status schema) are lost, as in the final write; the
    // handlers' outcomes are still recorded, so they do not run again.
    services.logger.error(
      `Writing the outcome of ${[...finished.keys()].join(', ')} was rejected by the API server: ${(err as Error).message}`,
    );
    return await writeRecordsAlone(services, args);
  }
}

function writeRecords(
  services: ObjectServices,
  args: {
    body: Body;
    patch: Patch;
    finished: Map<string, boolean>;
    records: Record<string, ProgressRecord>;
    origins: Record<string, ProgressRecord | null>;
  },
): void {
  const storages = storagesOf(services.settings);
  for (const id of args.finished.keys())
    writeRecord(storages.progress, {
      key: id,
      record: args.records[id]!,
      origin: args.origins[id] ?? null,
      body: args.body,
      patch: args.patch,
    });
}

async function writeRecordsAlone(
  services: ObjectServices,
  args: {
    body: Body;
    finished: Map<string, boolean>;
    records: Record<string, ProgressRecord>;
    origins: Record<string, ProgressRecord | null>;
  },
): Promise<Body> {
  const records = newPatch();
  writeRecords(services, { ...args, patch: records });
  const written = await writeMergePatch(services.client, services.resource, args.body, records);
  return written.gone ? GONE : written.body;
}

/** After the final write was rejected for good: the finished handlers' marks alone (best effort). */
async function markAfterRejection(
  services: ObjectServices,
  body: Body,
  change: string,
  finished: Map<string, boolean>,
): Promise<void> {
  const marks = newPatch();
  markHandled(marks, body, change, finished);
  try {
    await writeMergePatch(services.client, services.resource, body, marks);
  } catch (err) {
    services.logger.debug(`The handled marks could not be written either: ${(err as Error).message}`);
  }
}

function fieldValue(essence: unknown, field: readonly string[]): unknown {
  const value = resolveField(essence, field);
  return value === undefined ? null : value;
}

export type { Diff, Patch };
