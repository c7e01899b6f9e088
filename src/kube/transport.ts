/**
 * How the kube client sends HTTP: what it needs of a response and of a pool of connections, and the choice of
 * implementation (`settings.networking.transport`). undici (transport-undici.ts), the default, costs less CPU
 * per request and stalls the event loop less; Node's own http/https agents (transport-node.ts) save about 8 MiB
 * of RSS, since undici is then imported only for what those agents lack here: a proxy (the kubeconfig's
 * `proxy-url`, or `trustEnv` with a proxy in the environment) and HTTP/2. Measured in docs/benchmarks.md.
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
  /** Which stack: undici, or Node's own agents where they suffice. */
  kind: 'undici' | 'node';
}

/** A whole body as UTF-8 text; rejects if the body fails or closes before its end. */
export function readText(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!ended) reject(new Error('The response was closed before its end'));
    });
  });
}

/** Idle keep-alive connections close after this long (ms). */
export const KEEP_ALIVE_MS = 60_000;

/** A transport for these options: Node's agents when asked for and they suffice, else undici. */
export async function createTransport(options: TransportOptions): Promise<Transport> {
  if (
    options.kind === 'undici' ||
    options.http2 ||
    options.proxyUrl ||
    (options.trustEnv && proxyInEnvironment())
  ) {
    const { undiciTransport } = await import('./transport-undici.ts');
    return undiciTransport(options);
  }
  const { nodeTransport } = await import('./transport-node.ts');
  return nodeTransport(options);
}

function proxyInEnvironment(): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => !!process.env[name]);
}
