// The kube client's transports against the real API server, each probe in a process of its own: by default
// requests and watch streams go over Node's own https agents and undici is never loaded (it costs an operator
// 20–30 MiB of RSS); asking for HTTP/2 brings undici in, and requests and watches work over it too. Both
// honour settings.networking.connectTimeout. (Proxies, which also take undici, are tested in networking.test.ts.)
import test from 'ava';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testCluster, type TestCluster } from '../helpers/cluster.ts';
import { KubeClient } from '../../src/kube/client.ts';
import type { Connection } from '../../src/kube/config.ts';
import { ApiConnectionError } from '../../src/kube/errors.ts';

const PROBE = fileURLToPath(new URL('../fixtures/kube/transport-probe.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

async function probe(
  mode: 'default' | 'http2',
): Promise<{ namespace: string; listed: boolean; undici: boolean }> {
  const env = { ...process.env, HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [PROBE, cluster.kubeconfigPath, cluster.namespace, mode],
    { env, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

test('by default, requests and watch streams go over Node’s own agents: undici is not loaded', async (t) => {
  const result = await probe('default');
  t.deepEqual(result, { namespace: cluster.namespace, listed: true, undici: false });
});

test('with networking.http2, the client uses undici, and requests and watch streams work', async (t) => {
  const result = await probe('http2');
  t.deepEqual(result, { namespace: cluster.namespace, listed: true, undici: true });
});

// A server that accepts TCP connections and never answers the TLS handshake: only the connect timeout ends it.
for (const http2 of [false, true]) {
  test(`a connection that is not established within connectTimeout fails as a connection error (${http2 ? 'undici' : 'Node'})`, async (t) => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const connection: Connection = {
      server: `https://127.0.0.1:${port}`,
      insecure: true,
      defaultNamespace: 'default',
      authenticate: async () => ({ headers: {} }),
    };
    const client = new KubeClient(connection, { connectTimeout: 1, errorBackoffs: 0, http2 });
    try {
      const started = performance.now();
      const error = await t.throwsAsync(client.request({ method: 'GET', path: '/version' }), {
        instanceOf: ApiConnectionError,
      });
      const seconds = (performance.now() - started) / 1000;
      t.true(seconds >= 0.9 && seconds < 5, `failed after ${seconds.toFixed(2)} s: ${error?.message}`);
      t.true(sockets.length >= 1, 'the TCP connection was made');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await client.close();
    }
  });
}
