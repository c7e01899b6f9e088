/**
 * The errors of src/kube: every failed request becomes an ApiError subclass by HTTP status (with the parsed
 * v1.Status body and Retry-After), or an ApiConnectionError for network failures; the original is the
 * `cause`. Thrown by client.ts; caught by src/engine by class.
 */

/** A v1.Status body, as far as kopf-ts reads it. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { retryAfterSeconds?: number; [key: string]: unknown };
}

/** An HTTP error answer of the API server. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly reason: string | undefined;
  readonly body: StatusBody | string | undefined;
  /** Seconds from `Retry-After` or `details.retryAfterSeconds`, if any. */
  readonly retryAfter: number | undefined;
  constructor(status: number, body: StatusBody | string | undefined, retryAfter?: number, options?: ErrorOptions) {
    const text = typeof body === 'string' ? body : body?.message;
    super(`${status}${typeof body === 'object' && body?.reason ? ' ' + body.reason : ''}: ${text ?? 'no message'}`, options);
    this.status = status;
    this.body = body;
    this.reason = typeof body === 'object' ? body?.reason : undefined;
    this.retryAfter = retryAfter ?? (typeof body === 'object' ? body?.details?.retryAfterSeconds : undefined);
  }
}
export class ApiUnauthorizedError extends ApiError { override name = 'ApiUnauthorizedError'; }
export class ApiForbiddenError extends ApiError { override name = 'ApiForbiddenError'; }
export class ApiNotFoundError extends ApiError { override name = 'ApiNotFoundError'; }
export class ApiConflictError extends ApiError { override name = 'ApiConflictError'; }
export class ApiGoneError extends ApiError { override name = 'ApiGoneError'; }
export class ApiUnprocessableError extends ApiError { override name = 'ApiUnprocessableError'; }
export class ApiTooManyRequestsError extends ApiError { override name = 'ApiTooManyRequestsError'; }

/** The request never got an HTTP answer (refused, reset, timed out). */
export class ApiConnectionError extends Error {
  override name = 'ApiConnectionError';
}

/** The right ApiError subclass for an HTTP status. */
export function apiErrorFor(status: number, body: StatusBody | string | undefined, retryAfter?: number): ApiError {
  const cls =
    status === 401 ? ApiUnauthorizedError
    : status === 403 ? ApiForbiddenError
    : status === 404 ? ApiNotFoundError
    : status === 409 ? ApiConflictError
    : status === 410 ? ApiGoneError
    : status === 422 ? ApiUnprocessableError
    : status === 429 ? ApiTooManyRequestsError
    : ApiError;
  return new cls(status, body, retryAfter);
}

/** Returns undefined for a 404, rethrows anything else (`await getObject(…).catch(ignoreNotFound)`). */
export function ignoreNotFound(err: unknown): undefined {
  if (err instanceof ApiNotFoundError) return undefined;
  throw err;
}

/** Parses a Retry-After header (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
