/**
 * Handler progress records, Kopf's `ProgressRecord` and `HandlerState` (`_core/actions/progression.py`):
 * what one handler did so far for the current cause (started, retried, delayed, finished), in exactly the
 * fields and value formats Kopf stores, and the states derived from them for a given `now`.
 *
 * Records are immutable plain data: the helpers return new records. Used by the engine and src/execution to
 * decide which handlers run and to record outcomes; stored by src/model/progress-storage.ts. Pure.
 */
import { formatTimestamp, parseTimestamp } from './timestamps.ts';

/**
 * One handler's progress, as stored (JSON, absent fields omitted). Times are {@link formatTimestamp} strings.
 * `retries` counts the attempts made, so a first-try success has `retries: 1`.
 */
export interface ProgressRecord {
  started?: string | null;
  stopped?: string | null;
  delayed?: string | null;
  /** The cause reason that scheduled it: `create`, `update`, `delete`, `resume`. */
  purpose?: string | null;
  retries?: number | null;
  success?: boolean | null;
  failure?: boolean | null;
  /** The last error's message. */
  message?: string | null;
  /** Sorted ids of all descendant sub-handlers. */
  subrefs?: string[] | null;
}

/** The stored field order (Kopf's `for_storage()`), which the JSON text follows. */
export const RECORD_FIELDS = [
  'started',
  'stopped',
  'delayed',
  'purpose',
  'retries',
  'success',
  'failure',
  'message',
  'subrefs',
] as const;

/** What happened in one attempt of a handler. */
export interface Outcome {
  /** True when the handler is done for this cause (success or permanent failure). */
  final: boolean;
  /** The error message when the attempt failed (temporarily or permanently); absent on success. */
  error?: string | null;
  /** Seconds until the next attempt, for a temporary failure (or a parent waiting for sub-handlers). */
  delay?: number | null;
  /** Ids of sub-handlers run by this handler (all levels deep). */
  subrefs?: readonly string[];
}

/** A record for a handler that has not run yet: started now, `retries: 0` (Kopf's `from_scratch`). */
export function newRecord(now: number, purpose: string | null = null): ProgressRecord {
  return normalizeRecord({ started: formatTimestamp(now), purpose }, now);
}

/**
 * A stored record (from an annotation or `status.kopf.progress`) in its canonical form, as Kopf reads and
 * re-serialises it: a missing `started` becomes `now`, missing counters and flags become `0`/`false`,
 * empty values are omitted, `subrefs` sorted. Timestamps keep their text.
 */
export function normalizeRecord(stored: ProgressRecord, now: number): ProgressRecord {
  const record: ProgressRecord = {};
  const started = stored.started && parseTimestamp(stored.started) !== null ? stored.started : null;
  record.started = started ?? formatTimestamp(now);
  if (stored.stopped) record.stopped = stored.stopped;
  if (stored.delayed) record.delayed = stored.delayed;
  if (stored.purpose) record.purpose = stored.purpose;
  record.retries = stored.retries || 0;
  record.success = Boolean(stored.success);
  record.failure = Boolean(stored.failure);
  if (stored.message !== undefined && stored.message !== null) record.message = String(stored.message);
  if (stored.subrefs && stored.subrefs.length > 0) record.subrefs = [...stored.subrefs].sort(compareIds);
  return record;
}

/** The record re-purposed for another cause (Kopf's `with_purpose`). */
export function withPurpose(record: ProgressRecord, purpose: string | null): ProgressRecord {
  return storedForm({ ...record, purpose });
}

/**
 * The record after one attempt (Kopf's `with_outcome`): one more retry; `stopped` set once final;
 * `delayed` = now + delay when a delay is given, else removed; `success`/`failure` from the outcome;
 * `message` = the error or removed; `subrefs` merged and sorted.
 */
export function withOutcome(record: ProgressRecord, outcome: Outcome, now: number): ProgressRecord {
  const error = outcome.error ?? null;
  const subrefs = [...new Set([...(record.subrefs ?? []), ...(outcome.subrefs ?? [])])].sort(compareIds);
  const result: ProgressRecord = {
    started: record.started ?? formatTimestamp(now),
    stopped: record.stopped ?? (outcome.final ? formatTimestamp(now) : null),
    delayed:
      outcome.delay !== undefined && outcome.delay !== null
        ? formatTimestamp(now + outcome.delay * 1000)
        : null,
    purpose: record.purpose ?? null,
    retries: (record.retries ?? 0) + 1,
    success: outcome.final && error === null,
    failure: outcome.final && error !== null,
    message: error,
    subrefs: subrefs.length > 0 ? subrefs : null,
  };
  return storedForm(result);
}

/** The record after a successful attempt. */
export function recordSuccess(
  record: ProgressRecord,
  now: number,
  subrefs: readonly string[] = [],
): ProgressRecord {
  return withOutcome(record, { final: true, subrefs }, now);
}

/** The record after a permanent failure (also: retries or timeout exhausted) with this message. */
export function recordFailure(
  record: ProgressRecord,
  message: string,
  now: number,
  subrefs: readonly string[] = [],
): ProgressRecord {
  return withOutcome(record, { final: true, error: message, subrefs }, now);
}

/** The record after a temporary failure: retried `delay` seconds from now. */
export function recordRetry(
  record: ProgressRecord,
  message: string,
  delay: number,
  now: number,
  subrefs: readonly string[] = [],
): ProgressRecord {
  return withOutcome(record, { final: false, error: message, delay, subrefs }, now);
}

/** Finished: succeeded or failed for good. */
export function isFinished(record: ProgressRecord): boolean {
  return Boolean(record.success || record.failure);
}

/** Sleeping: not finished and `delayed` is still in the future. */
export function isSleeping(record: ProgressRecord, now: number): boolean {
  const delayed = record.delayed ? parseTimestamp(record.delayed) : null;
  return !isFinished(record) && delayed !== null && delayed > now;
}

/** Awakened: neither finished nor sleeping; only these handlers run. */
export function isAwakened(record: ProgressRecord, now: number): boolean {
  return !isFinished(record) && !isSleeping(record, now);
}

/** Seconds until an unfinished handler may run again (0 when due); `null` for a finished one. */
export function delayOf(record: ProgressRecord, now: number): number | null {
  if (isFinished(record)) return null;
  const delayed = record.delayed ? parseTimestamp(record.delayed) : null;
  return delayed === null ? 0 : Math.max(0, (delayed - now) / 1000);
}

/** The epoch milliseconds of the first attempt (`started`), or `now` when it is missing or unreadable. */
export function startedAt(record: ProgressRecord, now: number): number {
  return (record.started ? parseTimestamp(record.started) : null) ?? now;
}

/** Seconds since the first attempt (the `runtime` kwarg). */
export function runtimeOf(record: ProgressRecord, now: number): number {
  return (now - startedAt(record, now)) / 1000;
}

/**
 * The record as stored: fields in Kopf's order, `null` and `undefined` omitted (Kopf's non-verbose storage).
 * Two records are "the same" for writing purposes when their stored forms are deep-equal.
 */
export function storedForm(record: ProgressRecord): ProgressRecord {
  const result: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const value = record[field];
    if (value !== null && value !== undefined) result[field] = value;
  }
  return result as ProgressRecord;
}

/** Python's default string order (by code point), not the locale's. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
