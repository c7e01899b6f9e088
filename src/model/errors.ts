/**
 * The errors a handler raises to tell the framework what to do next, exactly as Kopf's.
 *
 * Users import them from the front door (`kopf.TemporaryError`, …); src/execution classifies a handler's
 * outcome by them; the pool worker serialises them by `name` and fields so they keep their class across
 * threads. Pure data.
 */

/** Options of a {@link TemporaryError}. */
export interface TemporaryErrorOptions {
  /** Seconds until the next attempt. Kopf's default is 60; `0` or `null` means "now". */
  delay?: number | null;
}

/** Retry the handler later (after `delay` seconds, 60 by default). */
export class TemporaryError extends Error {
  override name = 'TemporaryError';
  readonly delay: number | null;
  constructor(message?: string, options: TemporaryErrorOptions = {}) {
    super(message ?? '');
    this.delay = options.delay === undefined ? 60 : options.delay;
  }
}

/** Fail the handler for good: it is not retried for this change. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message?: string) {
    super(message ?? '');
  }
}

/** The handler ran out of its `timeout` (seconds since the first attempt). A permanent failure. */
export class HandlerTimeoutError extends PermanentError {
  override name = 'HandlerTimeoutError';
}

/** The handler ran out of its `retries` (attempts). A permanent failure. */
export class HandlerRetriesError extends PermanentError {
  override name = 'HandlerRetriesError';
}

/** Internal: a parent handler whose sub-handlers are not finished yet; retried after `delay`. */
export class HandlerChildrenRetry extends TemporaryError {
  override name = 'HandlerChildrenRetry';
}

/** Options of an {@link AdmissionError}. */
export interface AdmissionErrorOptions {
  /** The HTTP-like code reported to the API client; 500 by default as in Kopf. */
  code?: number;
}

/** Reject an admission request (validating or mutating webhook) with this message and code. */
export class AdmissionError extends PermanentError {
  override name = 'AdmissionError';
  readonly code: number;
  constructor(message?: string, options: AdmissionErrorOptions = {}) {
    super(message);
    this.code = options.code ?? 500;
  }
}

/**
 * What to do with an arbitrary (non-Kopf) exception from a handler: Kopf's `kopf.ErrorsMode`, a value as well as
 * a type (`kopf.ErrorsMode.PERMANENT === 'permanent'`), so `{ errors: kopf.ErrorsMode.PERMANENT }` and
 * `{ errors: 'permanent' }` are the same option.
 */
export const ErrorsMode = { IGNORED: 'ignored', TEMPORARY: 'temporary', PERMANENT: 'permanent' } as const;
/** One of the {@link ErrorsMode} values. */
export type ErrorsMode = (typeof ErrorsMode)[keyof typeof ErrorsMode];
