// Kubeconfig `proxy-url` and `tls-server-name`, and `settings.networking.trustEnv`, against the real API server:
// a tiny CONNECT proxy on loopback counts the tunnels it opens; the server's certificate is checked against
// the name given (one of its SANs works, a wrong one fails verification).
import test from 'ava';
import { connect as tlsConnect } from 'node:tls';
import { createServer, type Server } from 'node:http';
import { connect as netConnect } from 'node:net';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadConnection } from '../../src/kube/config.ts';
import * as kopf from '../../src/index.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
let proxy: Server;
let proxyUrl: string;
const tunnels: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-networking-'));

test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  // A CONNECT proxy: records the target of every tunnel, then pipes bytes both ways.
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
test.after.always(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await cluster?.close();
});

/** A copy of the cluster's kubeconfig with these fields set on its cluster. */
function kubeconfigWith(name: string, fields: Record<string, unknown>): string {
  const doc = parse(readFileSync(cluster.kubeconfigPath, 'utf8'));
  for (const entry of doc.clusters) Object.assign(entry.cluster, fields);
  // Relative paths (the CA file) must keep resolving: make them absolute from the original's directory.
  for (const entry of doc.clusters) {
    const ca = entry.cluster['certificate-authority'];
    if (typeof ca === 'string' && !ca.startsWith('/'))
      entry.cluster['certificate-authority'] = join(cluster.kubeconfigPath, '..', ca);
  }
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(doc));
  return path;
}

function serverOf(): URL {
  return new URL(loadConnection({ kubeconfig: cluster.kubeconfigPath }).server);
}

/** The DNS names the API server's certificate is valid for. */
async function dnsSans(): Promise<string[]> {
  const server = serverOf();
  const socket = tlsConnect({ host: server.hostname, port: Number(server.port), rejectUnauthorized: false });
  await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const sans = socket.getPeerCertificate().subjectaltname ?? '';
  socket.destroy();
  return sans
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
}

async function listNamespaces(client: KubeClient): Promise<number> {
  const list = await client.request<{ items: unknown[] }>({ method: 'GET', path: '/api/v1/namespaces' });
  return list.items.length;
}

for (const transport of ['undici', 'node'] as const) {
  test.serial(
    `tls-server-name: the certificate is checked against that name; a wrong one fails (${transport})`,
    async (t) => {
      const sans = await dnsSans();
      t.true(sans.length > 0, `the serving certificate has DNS names: ${sans.join(', ')}`);
      const good = new KubeClient(
        loadConnection({ kubeconfig: kubeconfigWith('good-name', { 'tls-server-name': sans[0] }) }),
        { errorBackoffs: [], transport },
      );
      t.true((await listNamespaces(good)) > 0);
      await good.close();
      const bad = new KubeClient(
        loadConnection({
          kubeconfig: kubeconfigWith('bad-name', { 'tls-server-name': 'not-this-server.example' }),
        }),
        { errorBackoffs: [], transport },
      );
      const error = await t.throwsAsync(() => listNamespaces(bad));
      t.regex(
        String(error?.message) + String((error?.cause as Error | undefined)?.message),
        /not-this-server\.example|altname|Hostname\/IP does not match/i,
      );
      await bad.close();
    },
  );
}

test.serial('proxy-url: every connection to the API server is tunnelled through the proxy', async (t) => {
  const before = tunnels.length;
  const client = new KubeClient(
    loadConnection({ kubeconfig: kubeconfigWith('proxied', { 'proxy-url': proxyUrl }) }),
    { errorBackoffs: [] },
  );
  t.true((await listNamespaces(client)) > 0);
  await client.close();
  t.true(tunnels.length > before, 'a tunnel was opened');
  t.is(tunnels.at(-1), serverOf().host, 'to the API server');
});

test.serial('a proxy-url that is not a URL is a clear error naming the cluster', (t) => {
  t.throws(
    () => loadConnection({ kubeconfig: kubeconfigWith('bad-proxy', { 'proxy-url': 'ftp://nowhere' }) }),
    {
      message: /has a proxy-url that is not an http:\/\/, https:\/\/ or socks5:\/\/ URL: "ftp:\/\/nowhere"/,
    },
  );
});

test.serial('settings.networking.trustEnv: HTTPS_PROXY is used only when true', async (t) => {
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  process.env.HTTPS_PROXY = proxyUrl;
  try {
    for (const trustEnv of [false, true]) {
      const before = tunnels.length;
      const settings = kopf.defaultSettings();
      settings.networking.trustEnv = trustEnv;
      kopf.setDefaultRegistry(new kopf.Registry());
      kopf.on.create('kopfexamples', async function noop() {});
      const stop = new AbortController();
      let ready = false;
      const running = kopf.operator({
        kubeconfig: cluster.kubeconfigPath,
        settings,
        namespaces: [cluster.namespace],
        signal: stop.signal,
        onReady: () => (ready = true),
        logger: quietLogger(),
      });
      await eventually(() => ready, 'the operator to be ready');
      stop.abort();
      await running;
      if (trustEnv) t.true(tunnels.length > before, 'trustEnv: the operator tunnelled through HTTPS_PROXY');
      else t.is(tunnels.length, before, 'no trustEnv: no proxy');
    }
  } finally {
    delete process.env.HTTPS_PROXY;
  }
});
