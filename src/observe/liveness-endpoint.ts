/**
 * Parses the liveness endpoint, `--liveness http://HOST:PORT/PATH` (Kopf's `-L/--liveness` and
 * `liveness_endpoint`), by Kopf's rules: only `http`, the host defaults to `localhost` and the port to 80. An
 * URL without a path serves `/healthz`; port 0 picks a free port. Called by src/cli/run.ts (to fail before anything
 * starts) and src/observe/liveness-server.ts.
 */

/** Where the liveness endpoint listens. */
export interface LivenessEndpoint {
  /** The host to bind, as written (`localhost`, `0.0.0.0`, `::`, an address or a name). */
  host: string;
  port: number;
  /** The path answered (others get 404). */
  path: string;
}

/** Kopf's defaults. */
export const LIVENESS_DEFAULTS = { host: 'localhost', port: 80, path: '/healthz' } as const;

/** A bad `--liveness` value. */
export class LivenessEndpointError extends Error {
  override name = 'LivenessEndpointError';
}

/** Parses `http://HOST:PORT/PATH`; throws a {@link LivenessEndpointError} that says what is wrong and what fits. */
export function parseLivenessEndpoint(endpoint: string): LivenessEndpoint {
  const example = 'e.g. http://0.0.0.0:8080/healthz';
  if (typeof endpoint !== 'string' || endpoint.trim() === '')
    throw new LivenessEndpointError(`The liveness endpoint is empty: give a URL, ${example}.`);
  let url: URL;
  try {
    // Kopf (Python's urlsplit) takes `http://:8080/healthz` as localhost; the WHATWG parser needs a host.
    url = new URL(endpoint.replace(/^http:\/\/:/i, `http://${LIVENESS_DEFAULTS.host}:`));
  } catch {
    throw new LivenessEndpointError(
      `The liveness endpoint ${JSON.stringify(endpoint)} is not a URL: ${example}.`,
    );
  }
  if (url.protocol !== 'http:')
    throw new LivenessEndpointError(
      `Unsupported scheme of the liveness endpoint ${JSON.stringify(endpoint)}: only http:// is served (${example}).`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new LivenessEndpointError(
      `The liveness endpoint ${JSON.stringify(endpoint)} has credentials, a query or a fragment: give only http://HOST:PORT/PATH (${example}).`,
    );
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || LIVENESS_DEFAULTS.host;
  const port = url.port === '' ? LIVENESS_DEFAULTS.port : Number(url.port);
  const path = /^http:\/\/[^/]*$/i.test(endpoint) ? LIVENESS_DEFAULTS.path : decodeURI(url.pathname);
  return { host, port, path };
}
