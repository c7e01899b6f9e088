/**
 * Parses the metrics endpoint, `--metrics HOST:PORT` (`kopf.run({ metricsEndpoint })`): where the Prometheus
 * metrics are served, always at the path `/metrics`. `:PORT` alone binds every IPv4 interface (0.0.0.0, as
 * controller-runtime's `--metrics-bind-address :8080`); IPv6 hosts go in brackets (`[::1]:9090`); port 0 picks a
 * free port. Called by src/cli/run.ts (to fail before anything starts) and src/engine/metrics.ts.
 */

/** Where the metrics are served. */
export interface MetricsEndpoint {
  /** The host to bind, as written (brackets of IPv6 removed). */
  host: string;
  port: number;
}

/** The one path the metrics are served at. */
export const METRICS_PATH = '/metrics';

/** A bad `--metrics` value. */
export class MetricsEndpointError extends Error {
  override name = 'MetricsEndpointError';
}

/** Parses `HOST:PORT`; throws a {@link MetricsEndpointError} that says what is wrong and what fits. */
export function parseMetricsEndpoint(endpoint: string): MetricsEndpoint {
  const example = 'e.g. 0.0.0.0:9090, localhost:8080 or [::1]:9090';
  const shown = JSON.stringify(endpoint);
  if (typeof endpoint !== 'string' || endpoint.trim() === '')
    throw new MetricsEndpointError(`The metrics endpoint is empty: give HOST:PORT, ${example}.`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) || endpoint.includes('/'))
    throw new MetricsEndpointError(
      `The metrics endpoint ${shown} is not HOST:PORT: give the address only (${example}); the path is always ${METRICS_PATH}.`,
    );
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d+)$/.exec(endpoint.trim());
  if (!m) throw new MetricsEndpointError(`The metrics endpoint ${shown} is not HOST:PORT (${example}).`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535)
    throw new MetricsEndpointError(
      `The metrics endpoint ${shown} has no valid port: 0 to 65535 (${example}).`,
    );
  const host = m[1] ?? (m[2] || '0.0.0.0');
  return { host, port };
}
