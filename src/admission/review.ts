/**
 * Serving one admission request (Kopf's `serve_admission_request`): checks the `AdmissionReview`, finds the
 * resource among those the admission handlers serve, builds the kwargs, runs the matching `on.validate` and
 * `on.mutate` handlers once each (async ones in the event loop, plain ones on the worker pool, errors always
 * permanent), and answers with the response review: the request's uid, `allowed`, the warnings (capped), the
 * mutations as a base64 JSON patch, and the best error's message and code. Reports each handler's verdict to
 * the timeline sink. Called by the webhook servers (through the `WebhookFn` that admission.ts makes).
 */
import type { WorkerPool } from '../execution/pool.ts';
import { isPlainObject, type Body, type JsonObject } from '../model/body.ts';
import { diff } from '../model/diff.ts';
import { AdmissionError, PermanentError, TemporaryError } from '../model/errors.ts';
import { diffOps } from '../model/json-patch.ts';
import { copyMemo } from '../model/memo.ts';
import { applyMergePatch, newPatch } from '../model/patch.ts';
import { resourceName, type Resource } from '../model/resource.ts';
import {
  OPERATIONS,
  WebhookRequestError,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type Operation,
  type WebhookRequestInfo,
} from '../model/reviews.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { WebhookHandler } from '../handlers/handler.ts';
import { matchFilters } from '../handlers/filters.ts';
import type { Registry } from '../handlers/registry.ts';
import { attempt } from '../execution/attempt.ts';
import { invoke } from '../execution/invoke.ts';
import { objectLogger, type Logger } from '../observe/log.ts';
import { capWarnings } from './warnings.ts';

/** One handler's verdict on one request, for the devtools timeline. */
export interface AdmissionVerdict {
  handler: string;
  operation: Operation;
  dryrun: boolean;
  allowed: boolean;
  message?: string;
  ms: number;
}

/** What serving a request needs from the operator. */
export interface ReviewContext {
  registry: Registry;
  settings: OperatorSettings;
  logger: Logger;
  /** The operator's memo: each request gets a shallow copy (the objects' own memos live in their actors). */
  memo: object;
  /** The resources the admission handlers serve (resolved against discovery by the operator). */
  resources: () => readonly Resource[];
  /** The operator's worker pool, for plain handlers (null: they run inline). */
  pool: WorkerPool | null;
  indexes?: Readonly<Record<string, unknown>> | undefined;
  /** Where each request's summary goes (the timeline of the object's actor: `<resource>/<uid>`). */
  onReview?: ((key: string | null, summary: ReviewSummary) => void) | undefined;
}

/** A whole request's outcome, for the timeline. */
export interface ReviewSummary {
  /** The resource's full name (`kopfexamples.v1.kopf.dev`) and the object's namespace and name. */
  resource: string;
  namespace: string | null;
  name: string | null;
  operation: Operation;
  dryrun: boolean;
  verdicts: AdmissionVerdict[];
  allowed: boolean;
  patch: unknown[];
  warnings: string[];
}

/** Answers one review; rejects only with a {@link WebhookRequestError} (a request that cannot be reviewed). */
export async function serveAdmissionRequest(
  review: unknown,
  info: WebhookRequestInfo,
  ctx: ReviewContext,
): Promise<AdmissionReviewResponse> {
  const request = checkReview(review);
  const resource = findResource(request, ctx.resources());
  const newBody = isPlainObject(request.object) ? (request.object as Body) : null;
  const oldBody = isPlainObject(request.oldObject) ? (request.oldObject as Body) : null;
  const body = (newBody ?? oldBody)!;
  const meta = body.metadata ?? {};
  const operation = request.operation;
  const dryrun = request.dryRun === true;
  const subresource = request.subResource || null;
  const logger = objectLogger(ctx.logger, {
    namespace: meta.namespace ?? request.namespace,
    name: meta.name ?? request.name,
    uid: meta.uid,
    kind: body.kind,
  });
  const patch = newPatch();
  const warnings: string[] = [];
  const kwargs: Record<string, unknown> = {
    body,
    spec: body.spec ?? {},
    meta,
    status: body.status ?? {},
    name: meta.name ?? request.name ?? null,
    namespace: meta.namespace ?? request.namespace ?? null,
    uid: meta.uid ?? null,
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    resource,
    patch,
    logger,
    memo: copyMemo(ctx.memo),
    old: oldBody,
    new: newBody,
    diff: diff(oldBody, newBody),
    warnings,
    dryrun,
    userinfo: request.userInfo,
    sslpeer: info.sslpeer ?? {},
    headers: info.headers ?? {},
    operation,
    subresource,
    ...ctx.indexes,
  };

  const verdicts: AdmissionVerdict[] = [];
  const errors: Error[] = [];
  for (const handler of selectHandlers(
    ctx.registry,
    resource,
    info.webhook ?? null,
    operation,
    subresource,
  )) {
    if (info.signal?.aborted) break;
    try {
      if (!matchFilters(handler.filters, handler.field, { body, kwargs: () => kwargs })) continue;
    } catch (err) {
      errors.push(err as Error);
      logger.error(`Webhook '${handler.id}' filters failed: ${(err as Error).message}`);
      continue;
    }
    const started = Date.now();
    const result = await attempt({
      handler,
      title: 'Webhook',
      retries: 0,
      runtime: 0,
      defaultBackoff: ctx.settings.execution.defaultBackoff,
      logger,
      invoke: () =>
        invoke({
          handler,
          kwargs: { ...kwargs, param: handler.param, retry: 0, started: new Date(started), runtime: 0 },
          pool: ctx.pool,
          signal: info.signal,
          // A plain handler still running when the request times out: its thread is terminated.
          timeoutMs: ctx.settings.admission.timeoutSeconds * 1000,
        }),
    });
    const exception = result.exception as Error | undefined;
    if (exception) errors.push(exception);
    verdicts.push({
      handler: handler.id,
      operation,
      dryrun,
      allowed: !exception,
      ...(exception ? { message: exception.message } : {}),
      ms: Date.now() - started,
    });
  }

  const ops = mutations(body, patch);
  const capped = capWarnings(warnings);
  if (capped.dropped > 0)
    logger.warn(`${capped.dropped} admission warning(s) were cut to fit the API server's limits.`);
  const response: AdmissionResponse = { uid: request.uid, allowed: errors.length === 0 };
  if (capped.warnings.length > 0) response.warnings = capped.warnings;
  if (ops.length > 0) {
    response.patch = Buffer.from(JSON.stringify(ops), 'utf8').toString('base64');
    response.patchType = 'JSONPatch';
  }
  const best = bestError(errors);
  if (best) {
    response.status = {
      message: best.message || best.name,
      code: best instanceof AdmissionError ? best.code || 500 : 500,
    };
  }
  report(ctx, logger, meta.uid ? `${resourceName(resource)}/${meta.uid}` : null, {
    resource: resourceName(resource),
    namespace: (kwargs.namespace as string | null) ?? null,
    name: (kwargs.name as string | null) || null,
    operation,
    dryrun,
    verdicts,
    allowed: response.allowed,
    patch: ops,
    warnings: capped.warnings,
  });
  const apiVersion =
    isPlainObject(review) && typeof review.apiVersion === 'string'
      ? review.apiVersion
      : 'admission.k8s.io/v1';
  return { apiVersion, kind: 'AdmissionReview', response };
}

/** Gives the observers (the devtools) the review; what they throw is logged, never the request's failure. */
function report(ctx: ReviewContext, logger: Logger, key: string | null, summary: ReviewSummary): void {
  try {
    ctx.onReview?.(key, summary);
  } catch (err) {
    logger.debug(`The admission review could not be reported: ${(err as Error).message}`);
  }
}

/** The review's `request`, checked: what is missing or malformed is a 400 naming it. */
function checkReview(review: unknown): AdmissionRequest {
  if (!isPlainObject(review))
    throw new WebhookRequestError('The body is not a JSON object (an AdmissionReview).');
  if (review.kind !== undefined && review.kind !== 'AdmissionReview')
    throw new WebhookRequestError(`Expected an AdmissionReview, got kind ${JSON.stringify(review.kind)}.`);
  const request = review.request;
  if (!isPlainObject(request)) throw new WebhookRequestError('The AdmissionReview has no request.');
  if (typeof request.uid !== 'string' || !request.uid)
    throw new WebhookRequestError('The admission request has no uid.');
  const resource = request.resource;
  if (
    !isPlainObject(resource) ||
    typeof resource.group !== 'string' ||
    typeof resource.version !== 'string' ||
    typeof resource.resource !== 'string'
  ) {
    throw new WebhookRequestError('The admission request has no resource (group, version, resource).');
  }
  if (!OPERATIONS.includes(request.operation as Operation))
    throw new WebhookRequestError(
      `The admission request's operation is not one of ${OPERATIONS.join(', ')}.`,
    );
  if (!isPlainObject(request.userInfo))
    throw new WebhookRequestError('User info is missing from the admission request.');
  if (!isPlainObject(request.object) && !isPlainObject(request.oldObject))
    throw new WebhookRequestError('Either old or new object is missing from the admission request.');
  return request as unknown as AdmissionRequest;
}

/** The served resource of the request (404 when none, 409 when several, as Kopf). */
function findResource(request: AdmissionRequest, resources: readonly Resource[]): Resource {
  const { group, version, resource } = request.resource;
  const found = resources.filter((r) => r.group === group && r.version === version && r.plural === resource);
  if (found.length === 0)
    throw new WebhookRequestError(
      `The specified resource has no handlers: ${JSON.stringify(request.resource)}`,
      404,
    );
  if (found.length > 1)
    throw new WebhookRequestError(
      `The specified resource is ambiguous: ${JSON.stringify(request.resource)}`,
      409,
    );
  return found[0]!;
}

/**
 * The handlers for a request, as Kopf selects them: only the URL's handler when the path names one; the
 * subresource must match (null: the main body only; `'*'`: any); mutating handlers skip DELETE unless they
 * are for DELETE only. `operations` is not checked here (only the managed configuration uses it).
 */
export function selectHandlers(
  registry: Registry,
  resource: Resource,
  webhook: string | null,
  operation: Operation,
  subresource: string | null,
): WebhookHandler[] {
  return registry.webhookHandlers(resource).filter((h) => {
    if (webhook && h.id !== webhook) return false;
    if (h.subresource !== '*' && h.subresource !== subresource) return false;
    if (h.reason === 'mutating' && operation === 'DELETE') {
      return h.operations !== null && h.operations.length === 1 && h.operations[0] === 'DELETE';
    }
    return true;
  });
}

/** The JSON patch of what the handlers changed: the merge patch and `patch.fns` applied to the object. */
function mutations(body: Body, patch: ReturnType<typeof newPatch>): unknown[] {
  const after = applyMergePatch<JsonObject>(body, patch);
  for (const fn of patch.fns) fn(after);
  return diffOps(body, after);
}

/** Kopf's preference: AdmissionError, then PermanentError, then TemporaryError, then any other. */
function bestError(errors: readonly Error[]): Error | undefined {
  const rank = (e: Error): number =>
    e instanceof AdmissionError ? 0 : e instanceof PermanentError ? 1 : e instanceof TemporaryError ? 2 : 9;
  return [...errors].sort((a, b) => rank(a) - rank(b))[0];
}
