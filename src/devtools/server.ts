/**
 * The devtools' HTTP server (node:http, no framework): serves the page (src/devtools/page/), the statecharts
 * as SVG, a JSON snapshot of the actors, and two Server-Sent-Events streams — the list of live actors and
 * one chosen actor's detail — pushed in batches (every `flushMs`) from the collector's changes. Every request
 * must carry the token (`?token=` or the `x-devtools-token` header); anything else gets 403. Started by
 * src/devtools/index.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Collector } from './collector.ts';
import { MACHINES } from './catalog.ts';
import { toSvg } from './svg.ts';

const PAGE_DIR = new URL('./page/', import.meta.url);
const STATIC: Record<string, string> = {
  '/app.js': 'text/javascript; charset=utf-8',
  '/style.css': 'text/css; charset=utf-8',
};
/** A client that cannot keep up (this much unsent) is disconnected rather than buffered without bound. */
const MAX_BACKLOG = 8 * 1024 * 1024;

interface StreamClient {
  res: ServerResponse;
  /** The chosen actor's key (detail stream), or null (list stream). */
  key: string | null;
  /** The last timeline line sent (detail stream). */
  after: number;
}

/** Options of {@link DevtoolsServer}. */
export interface DevtoolsServerOptions {
  collector: Collector;
  token: string;
  host: string;
  port: number;
  /** Batch interval of the pushes, ms. Default 200. */
  flushMs?: number;
}

/** The running server. */
export class DevtoolsServer {
  readonly #options: DevtoolsServerOptions;
  readonly #server: Server;
  readonly #clients = new Set<StreamClient>();
  readonly #svgs = new Map<string, Promise<string>>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastWrite = Date.now();

  constructor(options: DevtoolsServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    this.#timer = setInterval(() => this.#flush(), this.#options.flushMs ?? 200);
    this.#timer.unref();
    return (this.#server.address() as AddressInfo).port;
  }

  /** Number of connected streams. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Closes the streams and the server. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #authorized(req: IncomingMessage, url: URL): boolean {
    const given = url.searchParams.get('token') ?? (req.headers['x-devtools-token'] as string | undefined) ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(this.#options.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://devtools');
    const headers = {
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    };
    if (!this.#authorized(req, url)) {
      res.writeHead(403, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('403: the devtools need the token printed at startup (…/?token=…).\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { ...headers, allow: 'GET' });
      res.end();
      return;
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      const html = (await readFile(new URL('index.html', PAGE_DIR), 'utf8')).replaceAll('{{token}}', encodeURIComponent(this.#options.token));
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    } else if (STATIC[path]) {
      res.writeHead(200, { ...headers, 'content-type': STATIC[path] });
      res.end(await readFile(new URL(path.slice(1), PAGE_DIR)));
    } else if (path.startsWith('/machines/') && path.endsWith('.svg')) {
      const id = decodeURIComponent(path.slice('/machines/'.length, -'.svg'.length));
      const machine = Object.hasOwn(MACHINES, id) ? MACHINES[id] : undefined;
      if (!machine) return this.#notFound(res, headers);
      let svg = this.#svgs.get(id);
      if (!svg) this.#svgs.set(id, (svg = toSvg(machine)));
      res.writeHead(200, { ...headers, 'content-type': 'image/svg+xml; charset=utf-8' });
      res.end(await svg);
    } else if (path === '/api/actors') {
      this.#json(res, headers, { actors: this.#options.collector.list(), machines: Object.keys(MACHINES), dropped: this.#options.collector.dropped });
    } else if (path === '/api/actor') {
      const detail = this.#options.collector.detail(url.searchParams.get('key') ?? '');
      if (!detail) return this.#notFound(res, headers);
      this.#json(res, headers, detail);
    } else if (path === '/stream/list' || path === '/stream/actor') {
      const key = path === '/stream/actor' ? (url.searchParams.get('key') ?? '') : null;
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      res.flushHeaders();
      const client: StreamClient = { res, key, after: 0 };
      this.#clients.add(client);
      req.on('close', () => this.#clients.delete(client));
      if (key === null) this.#send(client, 'list', { reset: true, changed: this.#options.collector.list(), removed: [], machines: Object.keys(MACHINES) });
      else this.#sendDetail(client);
    } else {
      this.#notFound(res, headers);
    }
  }

  #notFound(res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    res.end('not found\n');
  }

  #json(res: ServerResponse, headers: Record<string, string>, value: unknown): void {
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  }

  #send(client: StreamClient, event: string, data: unknown): void {
    if (client.res.writableLength > MAX_BACKLOG) {
      client.res.end();
      this.#clients.delete(client);
      return;
    }
    client.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #sendDetail(client: StreamClient): void {
    const detail = this.#options.collector.detail(client.key ?? '', client.after);
    if (!detail) {
      this.#send(client, 'ended', { key: client.key });
      return;
    }
    const last = detail.timeline.at(-1);
    if (last) client.after = last.n;
    this.#send(client, 'actor', detail);
  }

  /** One batch: what changed since the last one goes to every stream that shows it. */
  #flush(): void {
    const { changed, removed } = this.#options.collector.drain();
    if (changed.length === 0 && removed.length === 0) {
      // A comment now and then keeps idle streams (and proxies) from timing out.
      if (Date.now() - this.#lastWrite > 15_000) {
        for (const c of this.#clients) c.res.write(': keep-alive\n\n');
        this.#lastWrite = Date.now();
      }
      return;
    }
    this.#lastWrite = Date.now();
    if (this.#clients.size === 0) return;
    const changedSet = new Set(changed);
    const removedSet = new Set(removed);
    let summaries: unknown[] | null = null;
    for (const client of [...this.#clients]) {
      if (client.key === null) {
        summaries ??= changed.map((k) => this.#options.collector.summary(k)).filter((s) => s !== undefined);
        this.#send(client, 'list', { changed: summaries, removed });
      } else if (changedSet.has(client.key) || removedSet.has(client.key)) {
        this.#sendDetail(client);
      }
    }
  }
}
