/**
 * The small HTTP server behind the operator's own endpoints: the liveness endpoint (`--liveness`) and the
 * Prometheus metrics (`--metrics`), alone or both on one address. It binds every address the host resolves to,
 * as Kopf's aiohttp site does (`localhost`: 127.0.0.1 and ::1), and routes GET/HEAD by exact path (404 elsewhere,
 * 405 for other methods). Used by src/observe/liveness-server.ts and src/observe/metrics-server.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';

/** Answers one GET (or HEAD: the caller may write a body, it is dropped) on its path. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A running server. */
export interface HttpServer {
  /** `http://HOST:PORT` with the port actually bound (IPv6 hosts in brackets). */
  origin: string;
  close(): Promise<void>;
}

/** Where to listen, and what the server is called in errors ("The liveness endpoint", "The metrics endpoint"). */
export interface HttpServerOptions {
  host: string;
  port: number;
  what: string;
  /** Routes by exact path. */
  routes: Record<string, Route>;
}

/** Writes a small JSON answer (no body for HEAD). */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Binds the host's addresses; rejects with a clear error naming `what` and the address when it cannot. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { host, what, routes } = options;
  const paths = Object.keys(routes);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return sendJson(req, res, 404, { error: `Not found: served here: ${paths.join(', ')}.` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(req, res, 405, { error: 'Method not allowed: use GET.' });
    }
    route(req, res);
  };
  let addresses: string[];
  try {
    addresses = [...new Set((await lookup(host, { all: true })).map((a) => a.address))];
  } catch (err) {
    throw new Error(`${what}'s host ${JSON.stringify(host)} does not resolve: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const servers: Server[] = [];
  let port = options.port;
  try {
    for (const [i, address] of addresses.entries()) {
      const server = createServer(handler);
      try {
        await listen(server, port, address);
      } catch (err) {
        // A second address of the host (`localhost`'s ::1 where IPv6 is off) may be missing: one is enough.
        const code = (err as NodeJS.ErrnoException).code;
        if (i > 0 && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
        throw err;
      }
      servers.push(server);
      port = (server.address() as AddressInfo).port;
    }
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw new Error(`${what} cannot listen on ${host}:${options.port}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
