/**
 * The one HTTP client of kopf-ts: JSON requests and watch streams to the API server over long-lived
 * keep-alive connections (transport.ts: undici, or Node's own agents by choice) — requests share at most
 * `connections` connections, watch streams get their own — with fresh auth per request, an optional client-side
 * rate limit, retries of 5xx/429/connection errors with backoff (honouring Retry-After), typed errors, and request
 * counters by verb and resource; observers (the engine's metrics) are told each response's code and latency,
 * and each retry. Credentials from a vault (login handlers, vault.ts) get agents of their own,
 * made from their TLS material and closed gracefully when the vault drops them (in-flight requests and watch
 * streams finish on them; new ones go to the new agents); a 401 invalidates the credentials used and the
 * request is sent again with the next ones. Created by the engine; used by objects.ts, watch.ts, discovery.ts, events.ts.
 */
import type { Auth, Connection } from './config.ts';
import { ApiConnectionError, ApiError, apiErrorFor, parseRetryAfter, type StatusBody } from './errors.ts';
import { RateLimiter } from './rate-limiter.ts';
import { createTransport, readText, type Transport, type TransportResponse } from './transport.ts';

/** Options of a {@link KubeClient}. */
export interface KubeClientOptions {
  /** Client-side rate limit, requests per second; 0 (the default, as Kopf): none. */
  qps?: number;
  burst?: number;
  /** Connections for (non-watch) requests at most; more requests wait for one. Default 100. */
  connections?: number;
  /** Delays (seconds) between retries of 5xx, 429 and connection errors; a number means that many retries of 1 s. */
  errorBackoffs?: number[] | number;
  enforceRetryAfter?: boolean;
  /** Seconds for one non-watch request. */
  requestTimeout?: number;
  /** Seconds to establish a connection (TCP and TLS); null or absent: 10. */
  connectTimeout?: number | null;
  http2?: boolean;
  /** Use the proxies of HTTP_PROXY / HTTPS_PROXY / NO_PROXY (Kopf's `trust_env`); a kubeconfig `proxy-url` wins. */
  trustEnv?: boolean;
  userAgent?: string;
  /** The HTTP stack (transport.ts): 'undici' (the default) or 'node'. */
  transport?: 'undici' | 'node';
  /** Called before each retry (for logging). */
  onRetry?: (info: { method: string; path: string; attempt: number; delay: number; error: Error }) => void;
}

/** One response (or connection failure) of a request, for observers. */
export interface KubeRequestInfo {
  verb: string;
  resource: string;
  /** The HTTP status code; `error` when no response came (a connection error or a timeout). */
  code: number | 'error';
  /** From sending to the response's headers (a watch: until the stream opened). */
  seconds: number;
}

/** Told of every request the client sends (src/engine/metrics.ts records them); must be cheap and never throw. */
export interface KubeClientObserver {
  request(info: KubeRequestInfo): void;
  /** A request about to be retried after `code` (429, 5xx, or `error`). */
  retry?(info: Omit<KubeRequestInfo, 'seconds'>): void;
}

/** One request. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
  /** For the counters: `get | list | watch | create | update | patch | delete`; derived when absent. */
  verb?: string;
  /** For the counters: the resource (plural, with `/subresource`); derived from the path when absent. */
  resource?: string;
  /** No retries (e.g. JSON patches guarded by resourceVersion are retried by the caller). */
  noRetry?: boolean;
}

export const VERSION = '0.1.0';

/** The HTTP client. */
export class KubeClient {
  readonly connection: Connection;
  readonly #options: Required<Omit<KubeClientOptions, 'onRetry' | 'connectTimeout'>> & Pick<KubeClientOptions, 'onRetry'> & { connectTimeout: number };
  readonly #limiter: RateLimiter;
  readonly #stats = new Map<string, number>();
  #observers: KubeClientObserver[] = [];
  #agent: Promise<Transport> | null = null;
  /** Watch streams hold their connection for minutes: they must not take the requests' ones. */
  #streamAgent: Promise<Transport> | null = null;
  /** The agents of each vault credential (their identity), as the two above. */
  readonly #agentsOf = new Map<object, { agent?: Promise<Transport>; stream?: Promise<Transport> }>();

  constructor(connection: Connection, options: KubeClientOptions = {}) {
    this.connection = connection;
    connection.onRetired?.((identity) => {
      const agents = this.#agentsOf.get(identity);
      this.#agentsOf.delete(identity);
      // Graceful: what runs on them finishes; anything new goes to the new credentials' agents.
      for (const pending of [agents?.agent, agents?.stream]) void pending?.then((a) => a.close()).catch(() => undefined);
    });
    this.#options = {
      qps: options.qps ?? 0,
      burst: options.burst ?? 100,
      connections: options.connections ?? 100,
      errorBackoffs: options.errorBackoffs ?? [1, 1, 2, 3, 5, 8, 13, 21],
      enforceRetryAfter: options.enforceRetryAfter ?? false,
      requestTimeout: options.requestTimeout ?? 300,
      connectTimeout: options.connectTimeout ?? 10,
      http2: options.http2 ?? false,
      trustEnv: options.trustEnv ?? false,
      userAgent: options.userAgent ?? `kopf-ts/${VERSION}`,
      transport: options.transport ?? 'undici',
      onRetry: options.onRetry,
    };
    if (this.#options.transport !== 'undici' && this.#options.transport !== 'node') {
      throw new TypeError(`networking.transport must be 'undici' or 'node', got ${JSON.stringify(this.#options.transport)}.`);
    }
    this.#limiter = new RateLimiter({ qps: this.#options.qps, burst: this.#options.burst });
  }

  /** Requests made so far, by `VERB resource` (e.g. `patch kopfexamples/status`). */
  stats(): Record<string, number> {
    return Object.fromEntries(this.#stats);
  }

  /** Total requests made so far, optionally only of these verbs. */
  count(verbs?: string[]): number {
    let total = 0;
    for (const [key, n] of this.#stats) if (!verbs || verbs.includes(key.split(' ')[0]!)) total += n;
    return total;
  }

  /** Adds an observer of every request from now on; returns what removes it. */
  observe(observer: KubeClientObserver): () => void {
    this.#observers = [...this.#observers, observer];
    return () => {
      this.#observers = this.#observers.filter((o) => o !== observer);
    };
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    const ofCredentials = [...this.#agentsOf.values()].flatMap((a) => [a.agent, a.stream]);
    this.#agentsOf.clear();
    for (const pending of [this.#agent, this.#streamAgent, ...ofCredentials]) {
      const agent = await pending?.catch(() => null);
      await agent?.close();
    }
  }

  #dispatcher(streaming: boolean, auth: Auth): Promise<Transport> {
    if (auth.identity) {
      let agents = this.#agentsOf.get(auth.identity);
      if (!agents) this.#agentsOf.set(auth.identity, (agents = {}));
      if (streaming) return (agents.stream ??= this.#newAgent(null, auth));
      return (agents.agent ??= this.#newAgent(this.#options.connections, auth));
    }
    if (streaming) return (this.#streamAgent ??= this.#newAgent(null, auth));
    return (this.#agent ??= this.#newAgent(this.#options.connections, auth));
  }

  /** An agent with the TLS material of these credentials (the first request's, for a plain connection). */
  #newAgent(connections: number | null, auth: Auth): Promise<Transport> {
    return createTransport({
      connections,
      tls: { ca: auth.ca, cert: auth.cert, key: auth.key, rejectUnauthorized: !(auth.insecure ?? this.connection.insecure) },
      servername: this.connection.tlsServerName,
      http2: this.#options.http2,
      proxyUrl: this.connection.proxyUrl,
      trustEnv: this.#options.trustEnv,
      headersTimeoutMs: this.#options.requestTimeout * 1000,
      connectTimeoutMs: this.#options.connectTimeout * 1000,
      kind: this.#options.transport,
    });
  }

  /** Counts the request; returns its verb and resource. */
  #count(req: KubeRequest): [string, string] {
    const verb = req.verb ?? deriveVerb(req);
    const resource = req.resource ?? deriveResource(req.path);
    const key = `${verb} ${resource}`;
    this.#stats.set(key, (this.#stats.get(key) ?? 0) + 1);
    return [verb, resource];
  }

  #notify(verb: string, resource: string, code: number | 'error', started: number): void {
    const info = { verb, resource, code, seconds: (performance.now() - started) / 1000 };
    for (const observer of this.#observers) observer.request(info);
  }

  /** Sends; on a 401 to vault credentials, invalidates them and sends again with the next (a LoginError when none). */
  async #sendAuthorized(req: KubeRequest, timeoutMs: number | null): Promise<TransportResponse> {
    for (;;) {
      const auth = await this.connection.authenticate();
      const res = await this.#send(req, timeoutMs, auth);
      if (res.statusCode !== 401 || !auth.invalidate) return res;
      await auth.invalidate(apiErrorFor(401, parseBody(await readText(res.body))));
    }
  }

  async #send(req: KubeRequest, timeoutMs: number | null, auth: Auth): Promise<TransportResponse> {
    await this.#limiter.acquire();
    const url = new URL((auth.server ?? this.connection.server) + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const [verb, resource] = this.#count(req);
    const headers: Record<string, string> = { ...auth.headers, accept: 'application/json', 'user-agent': this.#options.userAgent };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    // The request's own signal and its timeout, released as soon as the response body is done with (issue 16:
    // `AbortSignal.timeout()` + `AbortSignal.any()` kept a timer, two signals and their links alive for the
    // whole timeout, 300 s by default, after every request: tens of MiB under churn).
    const local = new AbortController();
    const onAbort = (): void => local.abort(req.signal?.reason);
    if (req.signal?.aborted) local.abort(req.signal.reason);
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs ? setTimeout(() => local.abort(new DOMException(`The request took longer than ${timeoutMs / 1000} s`, 'TimeoutError')), timeoutMs) : undefined;
    timer?.unref();
    const release = (): void => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    };
    const started = this.#observers.length ? performance.now() : 0;
    try {
      const transport = await this.#dispatcher(timeoutMs === null, auth);
      const res = await transport.request(url, { method: req.method, headers, body, signal: local.signal });
      res.body.once('close', release);
      if (this.#observers.length) this.#notify(verb, resource, res.statusCode, started);
      return res;
    } catch (err) {
      release();
      if (req.signal?.aborted) throw err;
      if (this.#observers.length) this.#notify(verb, resource, 'error', started);
      throw new ApiConnectionError(`${req.method} ${req.path}: ${describe(err)}`, { cause: err });
    }
  }

  /** A JSON request; resolves with the parsed body. Retries as configured; throws ApiError subclasses. */
  async request<T = any>(req: KubeRequest): Promise<T> {
    const backoffs = typeof this.#options.errorBackoffs === 'number' ? Array(this.#options.errorBackoffs).fill(1) : this.#options.errorBackoffs;
    for (let attempt = 0; ; attempt++) {
      let error: Error;
      try {
        const res = await this.#sendAuthorized(req, this.#options.requestTimeout * 1000);
        let content: string;
        try {
          content = await readText(res.body);
        } catch (err) {
          // The timeout (or the connection) ended the body midway: a connection error, retried as one.
          if (req.signal?.aborted) throw err;
          throw new ApiConnectionError(`${req.method} ${req.path}: ${describe(err)}`, { cause: err });
        }
        if (res.statusCode < 400) return (content ? JSON.parse(content) : undefined) as T;
        error = apiErrorFor(res.statusCode, parseBody(content), parseRetryAfter(res.headers['retry-after']));
      } catch (err) {
        if (req.signal?.aborted) throw err;
        error = err as Error;
      }
      const retriable = error instanceof ApiConnectionError || (error instanceof ApiError && (error.status >= 500 || error.status === 429));
      if (req.noRetry || !retriable || attempt >= backoffs.length) throw error;
      let delay = backoffs[attempt] ?? 1;
      if (error instanceof ApiError && error.retryAfter !== undefined) {
        delay = this.#options.enforceRetryAfter ? error.retryAfter : Math.max(delay, error.retryAfter);
      }
      this.#options.onRetry?.({ method: req.method, path: req.path, attempt: attempt + 1, delay, error });
      if (this.#observers.length) {
        const info = { verb: req.verb ?? deriveVerb(req), resource: req.resource ?? deriveResource(req.path), code: error instanceof ApiError ? error.status : ('error' as const) };
        for (const observer of this.#observers) observer.retry?.(info);
      }
      await sleep(delay * 1000, req.signal);
    }
  }

  /** Opens a streaming GET (a watch): resolves with the response once headers arrive; errors are typed. */
  async stream(req: KubeRequest): Promise<TransportResponse> {
    const res = await this.#sendAuthorized({ ...req, verb: req.verb ?? 'watch' }, null);
    if (res.statusCode >= 400) {
      throw apiErrorFor(res.statusCode, parseBody(await readText(res.body)), parseRetryAfter(res.headers['retry-after']));
    }
    return res;
  }
}

/** An error's message; for an aborted request, the reason it was aborted for (e.g. the request's timeout). */
function describe(err: unknown): string {
  const error = err as Error;
  if (error?.name === 'AbortError' && error.cause instanceof Error) return error.cause.message;
  return error?.message ?? String(err);
}

function parseBody(text: string): StatusBody | string | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as StatusBody;
  } catch {
    return text;
  }
}

function deriveVerb(req: KubeRequest): string {
  switch (req.method) {
    case 'GET': {
      if (req.query?.watch) return 'watch';
      return isCollection(req.path) ? 'list' : 'get';
    }
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
  }
}

/** `/apis/g/v/namespaces/ns/plural[/name[/sub]]` → `plural[/sub]`. */
export function deriveResource(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const tail = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  const [plural, , sub] = tail;
  return sub ? `${plural}/${sub}` : (plural ?? path);
}

function isCollection(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const tail = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  return tail.length === 1;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
