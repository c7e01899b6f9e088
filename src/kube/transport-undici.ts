/**
 * The kube client's default transport, undici: keep-alive agents, proxies (kubeconfig `proxy-url`: http, https
 * or socks5; or HTTP(S)_PROXY / NO_PROXY with `settings.networking.trustEnv`) and HTTP/2. Imported by
 * transport.ts, also for the proxies and HTTP/2 when `settings.networking.transport` is 'node'.
 */
import { Agent, EnvHttpProxyAgent, ProxyAgent, buildConnector, request, type Dispatcher } from 'undici';
import { KEEP_ALIVE_MS, type Transport, type TransportOptions } from './transport.ts';

/** A keep-alive undici agent (or proxy agent) for these options. */
export function undiciTransport(options: TransportOptions): Transport {
  const { servername } = options;
  const tls = { ...options.tls, ...(servername ? { servername } : {}) };
  const common = {
    keepAliveTimeout: KEEP_ALIVE_MS,
    allowH2: options.http2,
    ...(options.http2
      ? { connections: 1, pipelining: 100 }
      : options.connections
        ? { connections: options.connections }
        : {}),
    bodyTimeout: 0,
    headersTimeout: options.headersTimeoutMs,
  };
  let dispatcher: Dispatcher;
  // Through a proxy, `requestTls` is the TLS to the API server inside the tunnel.
  if (options.proxyUrl) dispatcher = new ProxyAgent({ ...common, uri: options.proxyUrl, requestTls: tls });
  else {
    const connect = servername
      ? withServername({ ...tls, timeout: options.connectTimeoutMs }, servername, options.http2)
      : { ...tls, timeout: options.connectTimeoutMs };
    dispatcher = options.trustEnv
      ? new EnvHttpProxyAgent({ ...common, connect, requestTls: tls })
      : new Agent({ ...common, connect });
  }
  return {
    async request(url, init) {
      const res = await request(url, {
        method: init.method as Dispatcher.HttpMethod,
        headers: init.headers,
        body: init.body,
        dispatcher,
        signal: init.signal,
      });
      return { statusCode: res.statusCode, headers: res.headers, body: res.body };
    },
    close: () => dispatcher.close(),
  };
}

/** A connector that always checks the certificate against (and sends as SNI) `servername`, whatever the URL's host. */
function withServername(
  tls: buildConnector.BuildOptions,
  servername: string,
  allowH2: boolean,
): buildConnector.connector {
  const connector = buildConnector({ ...tls, allowH2 });
  return (connectOptions, callback) => connector({ ...connectOptions, servername }, callback);
}
