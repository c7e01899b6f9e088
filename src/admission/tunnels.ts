/**
 * Kopf's tunnels: `WebhookNgrokTunnel` (an insecure local WebhookServer exposed through the `ngrok` agent,
 * which gives a public https URL with a publicly trusted certificate) and `WebhookAutoTunnel` (the detected
 * local-cluster server, or the plain server when the API server is on this machine's loopback, else ngrok).
 * Kopf drives ngrok through pyngrok; here the `ngrok` binary is run directly (`binary`, else found on PATH),
 * and starting without it fails with a message saying so. Constructed by users in a startup handler.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { WebhookClientConfig, WebhookFn } from '../model/reviews.ts';
import { WebhookServer, type ServeContext } from './server.ts';
import { detectLocalCluster, serverFor } from './servers.ts';

/** Options of {@link WebhookNgrokTunnel}: Kopf's. */
export interface WebhookNgrokTunnelOptions {
  /** The local server's address (default: loopback) and port (default: a free one). */
  addr?: string | null;
  port?: number | null;
  /** The URL path prefix. */
  path?: string | null;
  /** The ngrok auth token (registered users). */
  token?: string | null;
  /** The ngrok region (`eu`, `us`, …). */
  region?: string | null;
  /** The `ngrok` executable; default: `ngrok` on PATH. */
  binary?: string | null;
}

/** The tunnel software is missing or failed. */
export class WebhookTunnelError extends Error {
  override name = 'WebhookTunnelError';
}

/** Kopf's `WebhookNgrokTunnel`: yields `https://…ngrok…/path` (no caBundle: ngrok's certificate is public). */
export class WebhookNgrokTunnel {
  readonly options: Readonly<WebhookNgrokTunnelOptions>;

  constructor(options: WebhookNgrokTunnelOptions = {}) {
    this.options = { ...options };
  }

  async *serve(
    fn: WebhookFn,
    signal: AbortSignal,
    context: ServeContext = {},
  ): AsyncGenerator<WebhookClientConfig> {
    const o = this.options;
    const path = (o.path ?? '').replace(/\/+$/, '');
    const local = new WebhookServer({
      addr: o.addr ?? '127.0.0.1',
      port: o.port ?? null,
      path,
      insecure: true,
    });
    const inner = new AbortController();
    const stop = (): void => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    const served = local.serve(fn, inner.signal, context);
    try {
      for await (const config of served) {
        const port = Number(new URL(config.url!).port);
        const publicUrl = await startNgrok(o, port, inner.signal);
        yield { url: `${publicUrl}${path}` };
      }
    } finally {
      signal.removeEventListener('abort', stop);
      inner.abort();
      await served.return(undefined);
    }
  }
}

/** Runs `ngrok http PORT`, resolves with its public URL; the process ends when `signal` aborts. */
async function startNgrok(o: WebhookNgrokTunnelOptions, port: number, signal: AbortSignal): Promise<string> {
  const binary = o.binary ?? 'ngrok';
  const args = ['http', String(port), '--log=stdout', '--log-format=json'];
  if (o.token) args.push(`--authtoken=${o.token}`);
  if (o.region) args.push(`--region=${o.region}`);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  signal.addEventListener('abort', () => child.kill(), { once: true });
  return await new Promise<string>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new WebhookTunnelError(
          err.code === 'ENOENT'
            ? `WebhookNgrokTunnel needs the ngrok agent, and ${JSON.stringify(binary)} was not found: install ngrok (https://ngrok.com/download) or give its path as { binary }.`
            : `WebhookNgrokTunnel could not start ${binary}: ${err.message}`,
        ),
      );
    });
    child.once('exit', (code) =>
      reject(new WebhookTunnelError(`ngrok exited (code ${code}) before opening a tunnel.`)),
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const record = JSON.parse(line) as { url?: unknown; msg?: unknown; err?: unknown; lvl?: unknown };
        if (typeof record.url === 'string' && record.url.startsWith('https://')) resolve(record.url);
        else if (record.lvl === 'eror' || (typeof record.err === 'string' && record.err !== '<nil>'))
          reject(new WebhookTunnelError(`ngrok failed: ${String(record.err ?? record.msg)}`));
      } catch {
        // not a JSON line
      }
    });
  });
}

/**
 * Kopf's `WebhookAutoTunnel`: the k3d/minikube/Docker Desktop server when the cluster is one of those; the plain
 * server when the API server is on this machine's loopback (it can call us directly); else an ngrok tunnel.
 */
export class WebhookAutoTunnel {
  readonly options: Readonly<{ addr?: string | null; port?: number | null; path?: string | null }>;
  /** What was chosen (set when serving starts). */
  chosen: WebhookServer | WebhookNgrokTunnel | null = null;

  constructor(options: { addr?: string | null; port?: number | null; path?: string | null } = {}) {
    this.options = { ...options };
  }

  async *serve(
    fn: WebhookFn,
    signal: AbortSignal,
    context: ServeContext = {},
  ): AsyncGenerator<WebhookClientConfig> {
    const cluster = await detectLocalCluster(context);
    const loopback = context.apiServer
      ? /^https?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:|\/|$)/.test(context.apiServer)
      : false;
    this.chosen =
      cluster || loopback ? serverFor(cluster, this.options) : new WebhookNgrokTunnel(this.options);
    context.log?.('info', `The webhook endpoint is ${this.chosen.constructor.name}.`);
    yield* this.chosen.serve(fn, signal, context);
  }
}
