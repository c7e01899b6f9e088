/**
 * Serves the operator's metrics at `/metrics` in the Prometheus text format: its own HTTP server at
 * `--metrics HOST:PORT`, or a route on the liveness endpoint's server when both name the same address. Used by
 * src/engine/metrics.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startHttpServer, type Route } from './http-server.ts';
import { METRICS_PATH, type MetricsEndpoint } from './metrics-endpoint.ts';

/** What is scraped. */
export interface Scrapable {
  contentType: string;
  scrape(): Promise<string>;
}

/** The route answering `/metrics` with a scrape (500 with the reason if collecting fails). */
export function metricsRoute(metrics: Scrapable): Route {
  return (req: IncomingMessage, res: ServerResponse) => {
    metrics.scrape().then(
      (text) => {
        res.writeHead(200, {
          'Content-Type': metrics.contentType,
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) =>
        sendJson(req, res, 500, { error: `Collecting the metrics failed: ${(err as Error).message}` }),
    );
  };
}

/** A running metrics server. */
export interface MetricsServer {
  /** `http://HOST:PORT/metrics`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** Binds the endpoint; rejects with a clear error when it cannot. */
export async function startMetricsServer(
  endpoint: MetricsEndpoint,
  metrics: Scrapable,
): Promise<MetricsServer> {
  const server = await startHttpServer({
    host: endpoint.host,
    port: endpoint.port,
    what: 'The metrics endpoint',
    routes: { [METRICS_PATH]: metricsRoute(metrics) },
  });
  return { url: `${server.origin}${METRICS_PATH}`, close: () => server.close() };
}
