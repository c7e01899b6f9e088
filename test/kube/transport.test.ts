// The kube client's transports against the real API server, each probe in a process of its own: undici by
// default; with `networking.transport: 'node'` requests and watch streams go over Node's own agents and undici
// is never loaded (about 8 MiB of RSS), unless HTTP/2 asks for it. Both honour networking.connectTimeout.
// (Proxies, which also take undici, are tested in networking.test.ts.)
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
  mode: 'default' | 'node' | 'node-http2',
): Promise<{ namespace: string; listed: boolean; undici: boolean }> {
  const env = { ...process.env, HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [PROBE, cluster.kubeconfigPath, cluster.namespace, mode],
    {
      env,
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

test('by default, requests and watch streams go over undici', async (t) => {
  t.deepEqual(await probe('default'), { namespace: cluster.namespace, listed: true, undici: true });
});

test("networking.transport 'node': requests and watch streams go over Node's own agents; undici is not loaded", async (t) => {
  t.deepEqual(await probe('node'), { namespace: cluster.namespace, listed: true, undici: false });
});

test("networking.transport 'node' with http2: undici is loaded for HTTP/2, and requests and watch streams work", async (t) => {
  t.deepEqual(await probe('node-http2'), { namespace: cluster.namespace, listed: true, undici: true });
});

// A server that accepts TCP connections and never answers the TLS handshake: only the connect timeout ends it.
for (const transport of ['undici', 'node'] as const) {
  test(`a connection that is not established within connectTimeout fails as a connection error (${transport})`, async (t) => {
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
    const client = new KubeClient(connection, { connectTimeout: 1, errorBackoffs: 0, transport });
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

test('an unknown networking.transport is a clear error', (t) => {
  const connection: Connection = {
    server: 'https://127.0.0.1:1',
    insecure: true,
    defaultNamespace: 'default',
    authenticate: async () => ({ headers: {} }),
  };
  t.throws(() => new KubeClient(connection, { transport: 'curl' as never }), {
    instanceOf: TypeError,
    message: "networking.transport must be 'undici' or 'node', got \"curl\".",
  });
});
