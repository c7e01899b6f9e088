/**
 * The data of admission webhooks (Kopf's `kopf._cogs.structs.reviews`): the `AdmissionReview` request and
 * response as the API server sends and expects them, the client config a webhook server advertises, and the
 * protocol between the operator and its webhook server or tunnel (`settings.admission.server`). Types only,
 * plus the operation names. Read by src/model/settings.ts, src/handlers and src/admission.
 */
import type { JsonObject } from './body.ts';

/** The operations an admission request is made for. */
export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
/** One of {@link OPERATIONS}. */
export type Operation = (typeof OPERATIONS)[number];

/** `request.userInfo`: who made the API request. */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** `request.resource` / `request.kind`-like triples. */
export interface RequestResource {
  group: string;
  version: string;
  resource: string;
}

/** `request` of an `AdmissionReview` (admission.k8s.io/v1). */
export interface AdmissionRequest {
  uid: string;
  kind?: { group: string; version: string; kind: string };
  resource: RequestResource;
  subResource?: string;
  requestKind?: { group: string; version: string; kind: string };
  requestResource?: RequestResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object?: JsonObject | null;
  oldObject?: JsonObject | null;
  dryRun?: boolean;
  options?: JsonObject | null;
}

/** An `AdmissionReview` as the API server POSTs it. */
export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

/** `response.status` of a rejected review. */
export interface AdmissionStatus {
  message: string;
  code: number;
}

/** `response` of an `AdmissionReview`. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  warnings?: string[];
  /** Base64 of the JSON patch (RFC 6902) of the mutations. */
  patch?: string;
  patchType?: 'JSONPatch';
  status?: AdmissionStatus;
}

/** An `AdmissionReview` as the webhook answers. */
export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/**
 * The peer certificate of an HTTPS request, as Node's `tls.TLSSocket.getPeerCertificate()` gives it
 * (`subject.CN`, `issuer`, `subjectaltname`, `valid_from`, `fingerprint256`, …); `{}` when the client sent none.
 */
export type SslPeer = Record<string, unknown>;
/** The HTTP request headers, names in lower case (Node's `IncomingMessage.headers`). */
export type Headers = Record<string, string | string[] | undefined>;

/** What a webhook server passes with each review besides the body. */
export interface WebhookRequestInfo {
  /** The handler id from the URL path (everything after the server's `path`), if any: only that one runs. */
  webhook?: string | null | undefined;
  headers?: Headers | undefined;
  sslpeer?: SslPeer | undefined;
  /** Aborted when the server gives up on the request (its per-request timeout). */
  signal?: AbortSignal | undefined;
}

/**
 * The operator's side of a webhook server (Kopf's `WebhookFn`): takes a parsed review, answers with the
 * response review. Rejects with a {@link WebhookRequestError} for a request that is bad (not the object).
 */
export type WebhookFn = (review: unknown, info: WebhookRequestInfo) => Promise<AdmissionReviewResponse>;

/** A request that cannot be reviewed at all: answered with its HTTP `status` (400, 404, 409). */
export class WebhookRequestError extends Error {
  override name = 'WebhookRequestError';
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/**
 * How the API server reaches the webhook (`clientConfig` of a webhook configuration): a `url`, or a `service`,
 * with the `caBundle` (base64 of PEM) to trust. The handler id is appended to `url` or `service.path`.
 */
export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

/**
 * A webhook server or tunnel (`settings.admission.server`, Kopf's `WebhookServerProtocol`): given the operator's
 * {@link WebhookFn}, it serves until `signal` aborts and yields a client config each time its address or
 * certificate changes. kopf-ts's classes (`kopf.WebhookServer` & co.) have a `serve` method; a plain function of
 * the same signature works too.
 */
export type WebhookServerProtocol =
  | { serve(fn: WebhookFn, signal: AbortSignal): AsyncIterable<WebhookClientConfig> }
  | ((fn: WebhookFn, signal: AbortSignal) => AsyncIterable<WebhookClientConfig>);
