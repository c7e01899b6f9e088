/**
 * How the kube client sends HTTP: what it needs of a response and of a pool of connections, and the choice of
 * implementation. Node's own http/https (transport-node.ts) serves the common case; undici
 * (transport-undici.ts) is imported only for what Node's agents lack here: a proxy (the kubeconfig's
 * `proxy-url`, or `settings.networking.trustEnv` with a proxy in the environment) and HTTP/2. Loading undici
 * costs an operator 20–30 MiB of RSS (docs/benchmarks.md), so the default operator never loads it.
 * Called by client.ts only.
 */
import type { Readable } from 'node:stream';

/** One response: its status, headers (lower-case names) and the body as a stream of bytes. */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** One request as the client sends it. */
export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
}

/** A pool of keep-alive connections to one API server, with one set of TLS material. */
export interface Transport {
  request(url: URL, init: TransportRequest): Promise<TransportResponse>;
  /** Graceful: what is in flight finishes (its body read to the end or destroyed); then the connections close. */
  close(): Promise<void>;
}

/** The TLS material and connection limits of a {@link Transport}. */
export interface TransportOptions {
  /** At most this many connections; null: as many as needed (watch streams, each holding one). */
  connections: number | null;
  tls: {
    ca?: string | Buffer | undefined;
    cert?: string | Buffer | undefined;
    key?: string | Buffer | undefined;
    rejectUnauthorized: boolean;
  };
  /** Check the server's certificate against (and send as SNI) this name, whatever the URL's host. */
  servername?: string | undefined;
  http2: boolean;
  /** The kubeconfig's `proxy-url`. */
  proxyUrl?: string | undefined;
  /** Use HTTP(S)_PROXY / NO_PROXY from the environment. */
  trustEnv: boolean;
  /** The longest wait for a response's headers, ms. */
  headersTimeoutMs: number;
  /** The longest wait for a connection (TCP and TLS), ms. */
  connectTimeoutMs: number;
}

/** Idle keep-alive connections close after this long (ms). */
export const KEEP_ALIVE_MS = 60_000;

/** A transport for these options: undici only where Node's agents cannot do it. */
export async function createTransport(options: TransportOptions): Promise<Transport> {
  if (options.http2 || options.proxyUrl || (options.trustEnv && proxyInEnvironment())) {
    const { undiciTransport } = await import('./transport-undici.ts');
    return undiciTransport(options);
  }
  const { nodeTransport } = await import('./transport-node.ts');
  return nodeTransport(options);
}

function proxyInEnvironment(): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => !!process.env[name]);
}
