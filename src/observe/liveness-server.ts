/**
 * The liveness endpoint's HTTP server (`--liveness http://HOST:PORT/PATH`): answers GET (and HEAD) on PATH with
 * the JSON of a {@link Liveness} report (200 alive, 500 not), 404 elsewhere, 405 for other methods. It binds
 * every address the host resolves to, as Kopf's aiohttp site does (`localhost`: 127.0.0.1 and ::1). Started
 * and closed by src/engine/liveness.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import type { LivenessEndpoint } from './liveness-endpoint.ts';
import type { LivenessReport } from './liveness.ts';

/** A running endpoint. */
export interface LivenessServer {
  /** The URL it answers, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** Binds the endpoint; rejects with a clear error when the address cannot be bound. */
export async function startLivenessServer(
  endpoint: LivenessEndpoint,
  report: () => Promise<LivenessReport>,
): Promise<LivenessServer> {
  const servers: Server[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (path !== endpoint.path)
      return send(404, { error: `Not found: the liveness endpoint is ${endpoint.path}.` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, { error: 'Method not allowed: use GET.' });
    }
    report().then(
      (r) => send(r.status, r.body),
      (err: unknown) => send(500, { reasons: [`The liveness report failed: ${(err as Error).message}`] }),
    );
  };
  let addresses: string[];
  try {
    addresses = [...new Set((await lookup(endpoint.host, { all: true })).map((a) => a.address))];
  } catch (err) {
    throw new Error(
      `The liveness endpoint's host ${JSON.stringify(endpoint.host)} does not resolve: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let port = endpoint.port;
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
    throw new Error(
      `The liveness endpoint cannot listen on ${endpoint.host}:${endpoint.port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return {
    url: `http://${host}:${port}${endpoint.path}`,
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
