/**
 * The engine's current entry for one attempt of a handler: runs a caller-given `invoke` closure (the engine
 * wraps the call in its own context and sub-handler execution) and classifies the result with outcome.ts,
 * logging Kopf's lines on the given logger. New code should prefer `invokeHandler` (invoke.ts), which does
 * the same and also places the call (inline or on the pool). Called by src/engine; `describe` by the front door.
 */
import type { ErrorsMode } from '../model/errors.ts';
import {
  checkBeforeAttempt,
  classifyFailure,
  classifySuccess,
  failureMessage,
  invokedLine,
  type LogLine,
} from './outcome.ts';
import { describeThrown } from './thrown.ts';

/** What the attempt needs of the handler. */
export interface AttemptHandler {
  id: string;
  kind?: string | undefined;
  errors: ErrorsMode;
  timeout: number | null;
  retries: number | null;
  backoff: number | null;
}

/** The minimal logger an attempt reports to. */
export interface AttemptLogger {
  debug(msg: string): void;
  info(msg: string): void;
  error(msg: string): void;
  warn?(msg: string): void;
}

/** The classified result of an attempt. */
export interface AttemptResult {
  final: boolean;
  /** The error message of a failed attempt (temporary or permanent); absent on success and when ignored. */
  error?: string;
  /** Seconds until the next attempt (temporary failures). */
  delay?: number | null;
  result?: unknown;
  subrefs?: string[];
  /** The error of a failed attempt, for callers that report it (e.g. Events). */
  exception?: unknown;
}

/** Options of {@link attempt}. */
export interface AttemptOptions {
  handler: AttemptHandler;
  /** "Handler", "Daemon", "Timer", "Activity", "Webhook", "Indexer" (default: by the handler's kind). */
  title?: string;
  /** Attempts made so far (the `retry` kwarg). */
  retries: number;
  /** Seconds since the first attempt. */
  runtime: number;
  defaultBackoff: number;
  logger: AttemptLogger;
  invoke: () => Promise<unknown>;
}

/** Describes a thrown value, even if it is not an Error (see thrown.ts). */
export const describe = describeThrown;

/** Runs and classifies one attempt. Never throws for what the handler throws. */
export async function attempt(options: AttemptOptions): Promise<AttemptResult> {
  const { handler, logger } = options;
  const state = {
    retries: options.retries,
    runtime: options.runtime,
    defaultBackoff: options.defaultBackoff,
    word: options.title,
  };
  log(logger, [invokedLine(handler, state)]);
  let classified = checkBeforeAttempt(handler, state);
  if (!classified) {
    try {
      classified = classifySuccess(handler, state, await options.invoke());
    } catch (thrown) {
      classified = classifyFailure(handler, state, thrown);
    }
  }
  log(logger, classified.lines);
  const { outcome } = classified;
  const out: AttemptResult = { final: outcome.final };
  const error = failureMessage(outcome);
  if (error !== null) out.error = error;
  if (outcome.delay !== undefined) out.delay = outcome.delay;
  if ('result' in outcome) out.result = outcome.result;
  if (outcome.exception) out.exception = outcome.exception;
  return out;
}

function log(logger: AttemptLogger, lines: LogLine[]): void {
  for (const line of lines) {
    if (line.level === 'warn') (logger.warn ?? logger.error).call(logger, line.message);
    else logger[line.level](line.message);
  }
}
