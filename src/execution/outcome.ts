/**
 * The outcome of one attempt of a handler, classified exactly as Kopf's `execute_handler_once` (kopf-behavior
 * §4.4): the strict timeout/retries checks before an attempt, then success, TemporaryError (with look-ahead on
 * timeout and retries), PermanentError, or an arbitrary error by the errors mode. The log lines Kopf prints
 * ("Handler 'x' succeeded.", …, with "Handler" replaced by the kind word) are returned as data for the caller
 * to log. Pure: no clock, no I/O. Used by invoke.ts (and attempt.ts, the engine's older entry).
 */
import {
  HandlerChildrenRetry,
  HandlerRetriesError,
  HandlerTimeoutError,
  PermanentError,
  TemporaryError,
  type ErrorsMode,
} from '../model/errors.ts';
import { describeThrown, toError } from './thrown.ts';

/** What one attempt amounts to (Kopf's `Outcome`). */
export interface Outcome {
  /** Done for this change: succeeded, failed permanently, or ignored. Otherwise it is retried after `delay`. */
  final: boolean;
  result?: unknown;
  /** Why it failed (absent on success and on an ignored error). A non-Error throw is a ThrownValueError. */
  exception?: Error;
  /** Seconds until the next attempt (non-final outcomes); `null`/`0`: at once. */
  delay?: number | null;
  /** Ids of the sub-handlers seen during the attempt. */
  subrefs?: string[];
}

/** A log line the caller should log, at this level, in this order. `exception` asks for the stack too. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  exception?: Error;
}

/** An outcome and the lines that report it. */
export interface Classified {
  outcome: Outcome;
  lines: LogLine[];
}

/** What classification needs of a handler. `null`/absent options mean "not set" as in Kopf. */
export interface AttemptPolicy {
  id: string;
  /** The handler kind (`changing`, `event`, `daemon`, `timer`, `activity`, `webhook`, `index`), for defaults and words. */
  kind?: string | undefined;
  errors?: ErrorsMode | null | undefined;
  /** Seconds since the first attempt after which no new attempt is made. */
  timeout?: number | null | undefined;
  /** Attempts after which no new attempt is made. */
  retries?: number | null | undefined;
  /** Seconds before retrying after an arbitrary error in 'temporary' mode. */
  backoff?: number | null | undefined;
}

/** The state of the attempts so far, and the defaults. */
export interface AttemptState {
  /** Attempts made before this one (the `retry` kwarg). */
  retries: number;
  /** Seconds since the first attempt (the `runtime` kwarg). */
  runtime: number;
  /** `settings.execution.defaultBackoff`; 60 if absent. */
  defaultBackoff?: number | undefined;
  /** The errors mode when the handler has none; by default the kind's (see {@link defaultErrorsMode}). */
  defaultErrors?: ErrorsMode | undefined;
  /** Overrides the word that starts the log lines. */
  word?: string | undefined;
  subrefs?: string[] | undefined;
}

const WORDS: Record<string, string> = {
  daemon: 'Daemon',
  timer: 'Timer',
  activity: 'Activity',
  webhook: 'Webhook',
  index: 'Indexer',
};

/** Kopf's word for a handler kind in log lines: Handler, Daemon, Timer, Activity, Webhook or Indexer. */
export function kindWord(kind: string | undefined): string {
  return (kind && WORDS[kind]) ?? 'Handler';
}

/** Kopf's default errors mode of a kind (§1.3): event and index handlers ignore, webhooks fail, others retry. */
export function defaultErrorsMode(kind: string | undefined): ErrorsMode {
  if (kind === 'event' || kind === 'index') return 'ignored';
  if (kind === 'webhook') return 'permanent';
  return 'temporary';
}

/** Python's `str(timedelta)` of a number of seconds: `0:01:05`, `0:00:01.500000`, `2 days, 3:04:05`. */
export function formatRuntime(seconds: number): string {
  const micros = Math.round(Math.max(0, seconds) * 1e6);
  const days = Math.floor(micros / 86_400e6);
  const rest = micros - days * 86_400e6;
  const h = Math.floor(rest / 3_600e6);
  const m = Math.floor((rest % 3_600e6) / 60e6);
  const s = Math.floor((rest % 60e6) / 1e6);
  const us = rest % 1e6;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${us ? `.${String(us).padStart(6, '0')}` : ''}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}

function nameOf(handler: AttemptPolicy, state: AttemptState): string {
  return `${state.word ?? kindWord(handler.kind)} '${handler.id}'`;
}

function withSubrefs(outcome: Outcome, state: AttemptState): Outcome {
  return state.subrefs ? { ...outcome, subrefs: state.subrefs } : outcome;
}

/** The debug line logged before every attempt: `Handler 'x' is invoked.` */
export function invokedLine(handler: AttemptPolicy, state: AttemptState): LogLine {
  return { level: 'debug', message: `${nameOf(handler, state)} is invoked.` };
}

/** The warning of a cancelled attempt (Kopf then escalates the cancellation: it is not an outcome). */
export function cancelledLine(handler: AttemptPolicy, state: AttemptState): LogLine {
  return { level: 'warn', message: `${nameOf(handler, state)} is cancelled. Will escalate.` };
}

/**
 * The strict checks before an attempt: `runtime >= timeout` fails with HandlerTimeoutError, `retries so far >=
 * retries` with HandlerRetriesError. `null` means "go ahead and call the handler".
 */
export function checkBeforeAttempt(handler: AttemptPolicy, state: AttemptState): Classified | null {
  const name = nameOf(handler, state);
  let error: PermanentError | null = null;
  if (handler.timeout != null && state.runtime >= handler.timeout) {
    error = new HandlerTimeoutError(`${name} has timed out after ${formatRuntime(state.runtime)}.`);
  } else if (handler.retries != null && state.retries >= handler.retries) {
    error = new HandlerRetriesError(`${name} has exceeded ${state.retries} retries.`);
  }
  return error ? classifyFailure(handler, state, error) : null;
}

/** A handler that returned: final, with its result. */
export function classifySuccess(handler: AttemptPolicy, state: AttemptState, result: unknown): Classified {
  return {
    outcome: withSubrefs({ final: true, result }, state),
    lines: [{ level: 'info', message: `${nameOf(handler, state)} succeeded.` }],
  };
}

/** A handler that threw `thrown` (anything: an Error of any class, a string, `undefined`, …). */
export function classifyFailure(handler: AttemptPolicy, state: AttemptState, thrown: unknown): Classified {
  const name = nameOf(handler, state);
  const err = toError(thrown);
  const text = describeThrown(err);
  const done = (outcome: Outcome, line: LogLine): Classified => ({
    outcome: withSubrefs(outcome, state),
    lines: [line],
  });
  const retriesAhead = handler.retries != null && state.retries + 1 >= handler.retries;

  if (err instanceof HandlerChildrenRetry) {
    return done(
      { final: false, exception: err, delay: err.delay },
      { level: 'debug', message: `${name} has unfinished sub-handlers. Will retry soon.` },
    );
  }
  if (err instanceof TemporaryError) {
    const timeoutAhead = handler.timeout != null && state.runtime + (err.delay || 0) >= handler.timeout;
    if (timeoutAhead) {
      const msg = `${name} failed temporarily but will time out after ${handler.timeout} seconds: ${text}`;
      return done({ final: true, exception: new HandlerTimeoutError(msg) }, { level: 'error', message: msg });
    }
    if (retriesAhead) {
      const msg = `${name} failed temporarily but will exceed ${handler.retries} retries: ${text}`;
      return done({ final: true, exception: new HandlerRetriesError(msg) }, { level: 'error', message: msg });
    }
    return done(
      { final: false, exception: err, delay: err.delay },
      { level: 'error', message: `${name} failed temporarily: ${text}` },
    );
  }
  if (err instanceof HandlerTimeoutError || err instanceof HandlerRetriesError) {
    return done({ final: true, exception: err }, { level: 'error', message: text });
  }
  if (err instanceof PermanentError) {
    return done(
      { final: true, exception: err },
      { level: 'error', message: `${name} failed permanently: ${text}` },
    );
  }

  const mode = handler.errors ?? state.defaultErrors ?? defaultErrorsMode(handler.kind);
  const backoff = handler.backoff ?? state.defaultBackoff ?? 60;
  const timeoutAhead = handler.timeout != null && state.runtime + backoff >= handler.timeout;
  const line = (message: string): LogLine => ({ level: 'error', message, exception: err });
  if (mode === 'ignored') {
    return done({ final: true }, line(`${name} failed with an exception and will ignore it: ${text}`));
  }
  if (mode === 'temporary' && timeoutAhead) {
    const msg = `${name} failed with an exception and will stop now (it would time out in ${handler.timeout} seconds on the next attempt): ${text}`;
    return done({ final: true, exception: new HandlerTimeoutError(msg) }, line(msg));
  }
  if (mode === 'temporary' && retriesAhead) {
    const msg = `${name} failed with an exception and will stop now (it would exceed ${handler.retries} retries on the next attempt): ${text}`;
    return done({ final: true, exception: new HandlerRetriesError(msg) }, line(msg));
  }
  if (mode === 'temporary') {
    return done(
      { final: false, exception: err, delay: backoff },
      line(`${name} failed with an exception and will try again in ${backoff} seconds: ${text}`),
    );
  }
  return done(
    { final: true, exception: err },
    line(`${name} failed with an exception and will stop now: ${text}`),
  );
}

/** The message stored in a progress record for this outcome (Kopf's `str(exception)`), or `null`. */
export function failureMessage(outcome: Outcome): string | null {
  return outcome.exception ? describeThrown(outcome.exception) : null;
}
