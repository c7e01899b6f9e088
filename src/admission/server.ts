/**
 * `kopf.WebhookServer`: the HTTPS server the API server calls for admission reviews (Kopf's aiohttp server, on
 * Node's `https`). It serves `POST {path}/{handler id}` (the id may contain `/`; without one every handler
 * runs), reads at most `maxBodySize` bytes (413 beyond), answers malformed reviews with 400, gives each request
 * `requestTimeout` seconds (504 after it, so the webhook's failurePolicy decides), serves requests in
 * parallel, and never lets a bad request or a failing handler crash it. Its certificate is given (files or
 * PEM) or generated (certificates.ts) for its host and address plus `extraSans`; client certificates can be
 * required. It yields its client config (`url`, `caBundle`) when it starts and again when its certificate
 * files change. Configured by users in a startup handler (`settings.admission.server = new kopf.WebhookServer()`);
 * served by admission.ts.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { WebhookRequestError, type WebhookClientConfig, type WebhookFn } from '../model/reviews.ts';
import { generateCertificate } from './certificates.ts';

/** How client certificates are checked (Kopf's `verify_mode`: `ssl.CERT_NONE/OPTIONAL/REQUIRED`). */
export type VerifyMode = 'none' | 'optional' | 'required';

/** Options of {@link WebhookServer}: Kopf's, in camelCase. Paths are strings or URLs. */
export interface WebhookServerOptions {
  /** The listening address; default: all interfaces. */
  addr?: string | null;
  /** The listening port; default: a free one. */
  port?: number | null;
  /** The URL path prefix; the handler id follows it. */
  path?: string | null;
  /** The host name the API server is told to use; default: the class's `DEFAULT_HOST`, else one for `addr`. */
  host?: string | null;
  /** The CA (PEM) the API server is told to trust, instead of the certificate's. */
  cadata?: string | Buffer | null;
  /** A file with that CA. */
  cafile?: string | URL | null;
  /** Write the CA the API server is told to trust to this file (e.g. for curl). */
  cadump?: string | URL | null;
  /** Ready TLS options (Node's `SecureContextOptions`: key, cert, ca, …), instead of the files. */
  context?: SecureContextOptions | null;
  /** Plain HTTP (for tunnels that terminate TLS themselves). */
  insecure?: boolean;
  /** The server certificate (PEM file); without it and `pkeyfile`, a self-signed one is generated. */
  certfile?: string | URL | null;
  /** Its private key (PEM file). */
  pkeyfile?: string | URL | null;
  /** The key's passphrase. */
  password?: string | null;
  /** More subject alternative names for the generated certificate (host names or IPs). */
  extraSans?: readonly string[];
  /** Client certificates: not asked (default, unless a verify CA is given: then required), optional, required. */
  verifyMode?: VerifyMode | null;
  /** CAs that client certificates must chain to: a file, a directory of PEM files, or PEM data. */
  verifyCafile?: string | URL | null;
  verifyCapath?: string | URL | null;
  verifyCadata?: string | Buffer | null;
  /** Seconds between checks of `certfile`/`pkeyfile`; a change reloads them and re-announces the server. */
  fileCheckInterval?: number | null;
  /** The largest request body in bytes; default `settings.admission.maxBodySize`. */
  maxBodySize?: number | null;
  /** Seconds a request may take; default one second less than `settings.admission.timeoutSeconds`. */
  requestTimeout?: number | null;
}

/** What the operator gives a server besides the webhook function (admission.ts fills it from the settings). */
export interface ServeContext {
  maxBodySize?: number;
  requestTimeout?: number;
  /** Where the server reports what it could not answer. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** The API server's URL (the auto servers look at it). */
  apiServer?: string;
  /** The API server's version (`/version`), for the auto servers. */
  version?: () => Promise<{ gitVersion?: string }>;
}

/** The address of a running server, and its client config. */
export interface ServerEndpoint {
  /** The listening port (useful when it was chosen by the system). */
  port: number;
  clientConfig: WebhookClientConfig;
}

/** The base URL's host part: IPv6 in brackets. */
function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Kopf's accessible host for a listening address: `localhost` for any interface, loopback for unspecified ones. */
export function accessibleHost(addr: string | null | undefined): string {
  if (!addr) return 'localhost';
  if (addr === '0.0.0.0') return '127.0.0.1';
  if (addr === '::') return '::1';
  return addr;
}

async function readText(path: string | URL): Promise<string> {
  return await readFile(path, 'utf8');
}

/** A plain-data answer. */
function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body, at most `limit` bytes: a 413 error beyond. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new WebhookRequestError(`The request body is larger than ${limit} bytes.`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new WebhookRequestError(`The request body is larger than ${limit} bytes.`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The peer certificate of a TLS request, as Node gives it (`{}` when none or over plain HTTP). */
function peerOf(req: IncomingMessage): Record<string, unknown> {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return {};
  try {
    const cert = socket.getPeerCertificate(false) as unknown as Record<string, unknown> | null;
    if (!cert || Object.keys(cert).length === 0) return {};
    // Plain data only: the key and raw bytes as base64, the rest as given.
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(cert))
      out[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
    // Plain objects all the way down (Node's have null prototypes), so it crosses to the worker pool as it is.
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Kopf's `WebhookServer`. Construct it in a startup handler and assign it to `settings.admission.server`;
 * constructing reads nothing: files are read when the operator starts serving.
 */
export class WebhookServer {
  /** The host name advertised when none is given (the VM-aware subclasses set it). */
  static DEFAULT_HOST: string | null = null;

  readonly addr: string | null;
  readonly port: number | null;
  readonly path: string;
  readonly host: string | null;
  readonly options: Readonly<WebhookServerOptions>;

  constructor(options: WebhookServerOptions = {}) {
    this.options = { ...options };
    this.addr = options.addr ?? null;
    this.port = options.port ?? null;
    this.path = (options.path ?? '').replace(/\/+$/, '');
    this.host = options.host ?? null;
    if (this.path && !this.path.startsWith('/'))
      throw new TypeError(`WebhookServer: path must start with '/', got ${JSON.stringify(options.path)}.`);
    if (this.port !== null && (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535))
      throw new TypeError(`WebhookServer: port must be an integer 0–65535, got ${String(options.port)}.`);
  }

  /** The advertised host: `host`, else the class's DEFAULT_HOST, else one reachable for `addr`. */
  get advertisedHost(): string {
    return this.host ?? (this.constructor as typeof WebhookServer).DEFAULT_HOST ?? accessibleHost(this.addr);
  }

  /**
   * Serves `fn` until `signal` aborts; yields the client config when listening, and again when the certificate
   * files change. Rejects when the certificate cannot be had or the port cannot be bound.
   */
  async *serve(
    fn: WebhookFn,
    signal: AbortSignal,
    context: ServeContext = {},
  ): AsyncGenerator<WebhookClientConfig> {
    const o = this.options;
    const log = context.log ?? (() => {});
    const limit = o.maxBodySize ?? context.maxBodySize ?? 8 * 1024 * 1024;
    const timeoutSec = o.requestTimeout ?? context.requestTimeout ?? 29;
    const host = this.advertisedHost;
    const tls = o.insecure ? null : await this.#tlsOptions(host);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.#handle(req, res, fn, limit, timeoutSec, log).catch((err: unknown) => {
        log(
          'error',
          `The webhook server failed to answer ${req.method} ${req.url}: ${(err as Error).message}`,
        );
        reply(res, 500, { error: 'internal error' });
      });
    };
    const server: Server = tls ? createHttpsServer(tls.options, handler) : createHttpServer(handler);
    server.on('clientError', (err, socket) => {
      log('debug', `A webhook client's connection failed: ${err.message}`);
      socket.destroy();
    });
    server.on('tlsClientError', (err: Error) =>
      log('debug', `A webhook client's TLS handshake failed: ${err.message}`),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port ?? 0, this.addr ?? undefined, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log('error', `The webhook server failed: ${err.message}`));
    const port = (server.address() as AddressInfo).port;
    const scheme = tls ? 'https' : 'http';
    const config = (caPem: string | null): WebhookClientConfig => ({
      url: `${scheme}://${urlHost(host)}:${port}${this.path}`,
      ...(caPem ? { caBundle: Buffer.from(caPem, 'utf8').toString('base64') } : {}),
    });
    log(
      'info',
      `Listening for webhooks at ${scheme}://${urlHost(host)}:${port}${this.path} (bound to ${this.addr ?? '*'}:${port}).`,
    );
    // The files as they were when read: a change made while the first config is being applied is not missed.
    const interval = o.fileCheckInterval ?? 60;
    const files = [o.certfile, o.pkeyfile].filter((f): f is string | URL => !!f);
    const watching = tls !== null && files.length > 0 && interval > 0;
    let digest = watching ? await this.#digest(files).catch(() => '') : '';
    try {
      yield config(tls?.caPem ?? null);
      if (!watching) {
        await aborted(signal);
        return;
      }
      while (!(await aborted(signal, interval * 1000))) {
        const next = await this.#digest(files).catch(() => digest);
        if (next === digest) continue;
        digest = next;
        try {
          const fresh = await this.#tlsOptions(host);
          (server as unknown as { setSecureContext(o: SecureContextOptions): void }).setSecureContext(
            fresh.options,
          );
          log('info', 'The webhook certificate files changed: reloaded.');
          yield config(fresh.caPem);
        } catch (err) {
          log('error', `The changed webhook certificate files cannot be used: ${(err as Error).message}`);
        }
      }
    } finally {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async #digest(files: readonly (string | URL)[]): Promise<string> {
    const hash = createHash('sha256');
    for (const file of files) hash.update(await readFile(file));
    return hash.digest('hex');
  }

  /** The TLS options and the CA to advertise: from `context`, the files, or a generated certificate. */
  async #tlsOptions(
    host: string,
  ): Promise<{ options: SecureContextOptions & Record<string, unknown>; caPem: string | null }> {
    const o = this.options;
    let options: SecureContextOptions & Record<string, unknown>;
    let caPem: string | null = null;
    if (o.context) {
      options = { ...o.context };
    } else if (o.certfile || o.pkeyfile) {
      if (!o.certfile || !o.pkeyfile) throw new Error('WebhookServer: certfile and pkeyfile go together.');
      const cert = await readText(o.certfile);
      options = { cert, key: await readText(o.pkeyfile), ...(o.password ? { passphrase: o.password } : {}) };
      caPem = cert; // a self-signed certificate is its own CA, unless cadata/cafile say otherwise
    } else {
      const generated = await generateCertificate([host, this.addr, ...(o.extraSans ?? [])]);
      options = { cert: generated.certPem, key: generated.keyPem };
      caPem = generated.caPem;
    }
    if (o.cadata) caPem = o.cadata.toString();
    else if (o.cafile) caPem = await readText(o.cafile);
    if (o.cadump && caPem) await writeFile(o.cadump, caPem);
    const verifyCas: string[] = [];
    if (o.verifyCadata) verifyCas.push(o.verifyCadata.toString());
    if (o.verifyCafile) verifyCas.push(await readText(o.verifyCafile));
    if (o.verifyCapath) verifyCas.push(...(await pemFilesIn(o.verifyCapath)));
    const mode = o.verifyMode ?? (verifyCas.length > 0 ? 'required' : 'none');
    if (mode !== 'none') {
      options.requestCert = true;
      options.rejectUnauthorized = mode === 'required';
      if (verifyCas.length > 0) options.ca = verifyCas;
    }
    return { options, caPem };
  }

  async #handle(
    req: IncomingMessage,
    res: ServerResponse,
    fn: WebhookFn,
    limit: number,
    timeoutSec: number,
    log: NonNullable<ServeContext['log']>,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://webhook');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      reply(res, 400, { error: `The path ${url.pathname} is not valid percent-encoding.` });
      return;
    }
    if (this.path && pathname !== this.path && !pathname.startsWith(`${this.path}/`)) {
      reply(res, 404, { error: `No webhooks at ${pathname}.` });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      reply(res, 405, { error: 'Admission reviews are POSTed.' });
      return;
    }
    const webhook = pathname.slice(this.path.length).replace(/^\/+/, '') || null;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${timeoutSec} s`)),
      timeoutSec * 1000,
    );
    try {
      const raw = await readBody(req, limit);
      let review: unknown;
      try {
        review = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new WebhookRequestError(`The body is not JSON: ${(err as Error).message}`);
      }
      const answer = fn(review, {
        webhook,
        headers: { ...req.headers },
        sslpeer: peerOf(req),
        signal: controller.signal,
      });
      const timedOut = new Promise<never>((_, reject) =>
        controller.signal.addEventListener(
          'abort',
          () =>
            reject(
              new WebhookRequestError(
                `The admission request ${webhook ? `for '${webhook}' ` : ''}timed out after ${timeoutSec} s.`,
                504,
              ),
            ),
          { once: true },
        ),
      );
      answer.catch(() => {}); // a late failure after the timeout is already answered
      reply(res, 200, await Promise.race([answer, timedOut]));
    } catch (err) {
      if (err instanceof WebhookRequestError) {
        log(
          err.status >= 500 ? 'error' : 'warn',
          `Webhook request ${req.url} answered with ${err.status}: ${err.message}`,
        );
        reply(res, err.status, { error: err.message });
        if (err.status === 413) req.resume(); // drain what is left, so the socket is not reset mid-answer
        return;
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The PEM files of a directory (a capath). */
async function pemFilesIn(dir: string | URL): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const base = typeof dir === 'string' ? dir : dir.pathname;
  const names = (await readdir(base)).filter((n) => /\.(pem|crt)$/i.test(n));
  return await Promise.all(names.map((n) => readText(`${base}/${n}`)));
}

/** Resolves true when `signal` aborts, false after `ms` (never, without `ms`). */
function aborted(signal: AbortSignal, ms?: number): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer =
      ms === undefined
        ? null
        : setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve(false);
          }, ms);
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
