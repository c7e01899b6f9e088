/**
 * The liveness endpoint's HTTP server (`--liveness http://HOST:PORT/PATH`): answers GET (and HEAD) on PATH with
 * the JSON of a {@link Liveness} report (200 alive, 500 not), 404 elsewhere, 405 for other methods, on the
 * shared server of src/observe/http-server.ts (which binds every address the host resolves to, as Kopf's aiohttp
 * site does). Other routes (the metrics' `/metrics` when `--metrics` names the same address) may share it.
 * Started and closed by src/engine/liveness.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startHttpServer, type Route } from './http-server.ts';
import type { LivenessEndpoint } from './liveness-endpoint.ts';
import type { LivenessReport } from './liveness.ts';

/** A running endpoint. */
export interface LivenessServer {
  /** The URL it answers, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** The route answering with the report. */
export function livenessRoute(report: () => Promise<LivenessReport>): Route {
  return (req: IncomingMessage, res: ServerResponse) => {
    report().then(
      (r) => sendJson(req, res, r.status, r.body),
      (err: unknown) =>
        sendJson(req, res, 500, { reasons: [`The liveness report failed: ${(err as Error).message}`] }),
    );
  };
}

/** Binds the endpoint (with `extraRoutes`, if any); rejects with a clear error when the address cannot be bound. */
export async function startLivenessServer(
  endpoint: LivenessEndpoint,
  report: () => Promise<LivenessReport>,
  extraRoutes: Record<string, Route> = {},
): Promise<LivenessServer> {
  if (Object.hasOwn(extraRoutes, endpoint.path))
    throw new Error(
      `The liveness endpoint's path ${endpoint.path} is taken by another endpoint on the same address.`,
    );
  const server = await startHttpServer({
    host: endpoint.host,
    port: endpoint.port,
    what: 'The liveness endpoint',
    routes: { ...extraRoutes, [endpoint.path]: livenessRoute(report) },
  });
  return { url: `${server.origin}${endpoint.path}`, close: () => server.close() };
}
