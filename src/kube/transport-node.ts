/**
 * The kube client's transport by choice (`settings.networking.transport: 'node'`): Node's own http/https agents
 * with keep-alive connections (at most `connections` of them; more requests wait for a free one), a connect
 * timeout, idle connections closed after a minute, and a graceful close (what is in flight finishes first).
 * Imported by transport.ts.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { KEEP_ALIVE_MS, type Transport, type TransportOptions, type TransportResponse } from './transport.ts';

/** Node's agents for these options (plain http for an `http://` server, https otherwise). */
export function nodeTransport(options: TransportOptions): Transport {
  // A free connection idle this long is closed (a busy one is never timed out by the agent: the client's own
  // timeouts apply to requests, and a watch stream may be quiet for minutes). 0: never (the watch streams' pool).
  const idleMs = options.connections ? KEEP_ALIVE_MS : 0;
  const pooled = {
    keepAlive: true,
    maxSockets: options.connections ?? Infinity,
    ...(idleMs ? { timeout: idleMs } : {}),
  };
  const httpAgent = new http.Agent(pooled);
  const httpsAgent = new OneServerAgent({
    ...pooled,
    ...options.tls,
    ...(options.servername ? { servername: options.servername } : {}),
  });
  let inflight = 0;
  let closing: (() => void) | null = null;
  return {
    request(url, init) {
      return new Promise<TransportResponse>((resolve, reject) => {
        const secure = url.protocol === 'https:';
        const headers: Record<string, string | number> = { ...init.headers };
        if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
        inflight++;
        let finished = false;
        const finish = (): void => {
          if (finished) return;
          finished = true;
          if (--inflight === 0 && closing) closing();
        };
        const req = (secure ? https : http).request(url, {
          method: init.method,
          headers,
          agent: secure ? httpsAgent : httpAgent,
          ...(secure && options.servername ? { servername: options.servername } : {}),
        });
        // The signal by hand: Node's own `signal` option costs about 2 % of an operator's CPU per change.
        const { signal } = init;
        const onAbort = (): void => {
          req.destroy(
            Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
              name: 'AbortError',
            }),
          );
        };
        if (signal.aborted) onAbort();
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          req.once('close', () => signal.removeEventListener('abort', onAbort));
        }
        req.on('socket', (socket: Socket) => {
          if (!socket.connecting) return;
          const onTimeout = (): void => {
            socket.destroy(
              new Error(`Connecting to ${url.host} took longer than ${options.connectTimeoutMs / 1000} s`),
            );
          };
          socket.setTimeout(options.connectTimeoutMs);
          socket.once('timeout', onTimeout);
          socket.once(secure ? 'secureConnect' : 'connect', () => {
            socket.removeListener('timeout', onTimeout);
            socket.setTimeout(idleMs);
          });
        });
        req.once('response', (res) => {
          res.once('close', finish);
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
        });
        // `on`, not `once`: the socket can fail again after the response (the body's consumer sees that).
        req.on('error', (err) => {
          finish();
          reject(err);
        });
        req.end(init.body);
      });
    },
    close() {
      const destroy = (): void => {
        httpAgent.destroy();
        httpsAgent.destroy();
      };
      if (inflight === 0) {
        destroy();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        closing = () => {
          destroy();
          resolve();
        };
      });
    },
  };
}

/**
 * An https agent for one server and one set of TLS material (a transport makes one per credential): its
 * connections' pool name is host, port and server name, not Node's default of every TLS option concatenated
 * (the CA, the certificate and the key, a few KiB per request to build and hash).
 */
class OneServerAgent extends https.Agent {
  override getName(options?: https.RequestOptions): string {
    return `${options?.host ?? ''}:${options?.port ?? ''}:${options?.servername ?? ''}`;
  }
}
