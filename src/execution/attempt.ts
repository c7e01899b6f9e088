/**
 * One attempt of a handler, classified as Kopf's `execute_handler_once`: the strict timeout/retries checks
 * before the call, then success, TemporaryError (with look-ahead), PermanentError, or an arbitrary error per
 * the handler's errors mode — with Kopf's log lines. Called by the engine for change and event handlers;
 * the handler itself is invoked through `invoke` (in-process or on the pool).
 */
import { HandlerChildrenRetry, HandlerRetriesError, HandlerTimeoutError, PermanentError, TemporaryError, type ErrorsMode } from '../model/errors.ts';

/** What the attempt needs of the handler. */
export interface AttemptHandler {
  id: string;
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
}

/** The classified result of an attempt. */
export interface AttemptResult {
  final: boolean;
  /** The error message of a failed attempt (temporary or permanent); absent on success. */
  error?: string;
  /** Seconds until the next attempt (temporary failures). */
  delay?: number | null;
  result?: unknown;
  subrefs?: string[];
  /** The thrown value, for callers that report it (e.g. Events). */
  exception?: unknown;
}

/** Options of {@link attempt}. */
export interface AttemptOptions {
  handler: AttemptHandler;
  /** "Handler", "Daemon", "Timer", "Activity", "Webhook", "Indexer". */
  title?: string;
  /** Attempts made so far (the `retry` kwarg). */
  retries: number;
  /** Seconds since the first attempt. */
  runtime: number;
  defaultBackoff: number;
  logger: AttemptLogger;
  invoke: () => Promise<unknown>;
}

/** Describes a thrown value, even if it is not an Error. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return `${typeof err} ${JSON.stringify(err)}`;
  } catch {
    return String(err);
  }
}

/** Runs and classifies one attempt. Never throws (cancellation aside). */
export async function attempt(options: AttemptOptions): Promise<AttemptResult> {
  const { handler, logger } = options;
  const name = `${options.title ?? 'Handler'} '${handler.id}'`;
  const backoff = handler.backoff ?? options.defaultBackoff;
  try {
    logger.debug(`${name} is invoked.`);
    if (handler.timeout !== null && options.runtime >= handler.timeout) {
      throw new HandlerTimeoutError(`${name} has timed out after ${options.runtime} seconds.`);
    }
    if (handler.retries !== null && options.retries >= handler.retries) {
      throw new HandlerRetriesError(`${name} has exceeded ${options.retries} retries.`);
    }
    const result = await options.invoke();
    logger.info(`${name} succeeded.`);
    return { final: true, result };
  } catch (err) {
    if (err instanceof HandlerChildrenRetry) {
      logger.debug(`${name} has unfinished sub-handlers. Will retry soon.`);
      return { final: false, error: describe(err), delay: err.delay, exception: err };
    }
    if (err instanceof TemporaryError) {
      const lookTimeout = handler.timeout !== null && options.runtime + (err.delay ?? 0) >= handler.timeout;
      const lookRetries = handler.retries !== null && options.retries + 1 >= handler.retries;
      if (lookTimeout) {
        const msg = `${name} failed temporarily but will time out after ${handler.timeout} seconds: ${describe(err)}`;
        logger.error(msg);
        return { final: true, error: msg, exception: err };
      }
      if (lookRetries) {
        const msg = `${name} failed temporarily but will exceed ${handler.retries} retries: ${describe(err)}`;
        logger.error(msg);
        return { final: true, error: msg, exception: err };
      }
      logger.error(`${name} failed temporarily: ${describe(err)}`);
      return { final: false, error: describe(err), delay: err.delay, exception: err };
    }
    if (err instanceof HandlerTimeoutError || err instanceof HandlerRetriesError) {
      logger.error(describe(err));
      return { final: true, error: describe(err), exception: err };
    }
    if (err instanceof PermanentError) {
      logger.error(`${name} failed permanently: ${describe(err)}`);
      return { final: true, error: describe(err), exception: err };
    }
    const lookTimeout = handler.timeout !== null && options.runtime + backoff >= handler.timeout;
    const lookRetries = handler.retries !== null && options.retries + 1 >= handler.retries;
    const text = describe(err);
    if (handler.errors === 'ignored') {
      logger.error(`${name} failed with an exception and will ignore it: ${text}`);
      return { final: true, exception: err };
    }
    if (handler.errors === 'temporary' && lookTimeout) {
      const msg = `${name} failed with an exception and will stop now (it would time out in ${handler.timeout} seconds on the next attempt): ${text}`;
      logger.error(msg);
      return { final: true, error: msg, exception: err };
    }
    if (handler.errors === 'temporary' && lookRetries) {
      const msg = `${name} failed with an exception and will stop now (it would exceed ${handler.retries} retries on the next attempt): ${text}`;
      logger.error(msg);
      return { final: true, error: msg, exception: err };
    }
    if (handler.errors === 'temporary') {
      logger.error(`${name} failed with an exception and will try again in ${backoff} seconds: ${text}`);
      return { final: false, error: text, delay: backoff, exception: err };
    }
    logger.error(`${name} failed with an exception and will stop now: ${text}`);
    return { final: true, error: text, exception: err };
  }
}
