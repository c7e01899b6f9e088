// The kubeconfig loader (src/kube/config.ts) on files written here: tokens, token files (re-read on every
// connect), basic auth, certificate data and files relative to the kubeconfig, several files in KUBECONFIG
// (the first entry of a name wins), clear errors, and an exec plugin handed to @kubernetes/client-node.
// The real control plane's kubeconfig (a token and a CA file) is used by every cluster test.
import test from 'ava';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { loadConnection } from '../../src/kube/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-kubeconfig-'));

function kubeconfig(name: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const path = join(dir, name);
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://k8s.example:6443/', 'certificate-authority': 'ca.pem' } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'team' } }],
    'current-context': 'ctx',
    ...extra,
  };
  writeFileSync(path, stringify(doc));
  return path;
}
writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');

test('a token; the CA file is read relative to the kubeconfig; the server loses its trailing slash', async (t) => {
  const conn = loadConnection({ kubeconfig: kubeconfig('token.yaml', { token: 'abc' }) });
  t.is(conn.server, 'https://k8s.example:6443');
  t.is(conn.defaultNamespace, 'team');
  t.false(conn.insecure);
  const auth = await conn.authenticate();
  t.deepEqual(auth.headers, { authorization: 'Bearer abc' });
  t.is(String(auth.ca), 'CA-PEM');
});

test('a token file is re-read on every connect (rotation)', async (t) => {
  writeFileSync(join(dir, 'token.txt'), 'one\n');
  const conn = loadConnection({ kubeconfig: kubeconfig('tokenfile.yaml', { tokenFile: 'token.txt' }) });
  t.is((await conn.authenticate()).headers.authorization, 'Bearer one');
  writeFileSync(join(dir, 'token.txt'), 'two\n');
  t.is((await conn.authenticate()).headers.authorization, 'Bearer two');
});

test('basic auth and client certificate data', async (t) => {
  const basic = loadConnection({ kubeconfig: kubeconfig('basic.yaml', { username: 'me', password: 'pw' }) });
  t.is((await basic.authenticate()).headers.authorization, `Basic ${Buffer.from('me:pw').toString('base64')}`);
  const certs = loadConnection({
    kubeconfig: kubeconfig('certs.yaml', { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') }),
  });
  const auth = await certs.authenticate();
  t.is(String(auth.cert), 'CERT');
  t.is(String(auth.key), 'KEY');
  t.deepEqual(auth.headers, {});
});

test('several files in KUBECONFIG: the current context comes from the first that sets one', (t) => {
  const first = kubeconfig('first.yaml', { token: 'x' }, { 'current-context': undefined, contexts: [] });
  const second = kubeconfig('second.yaml', { token: 'y' });
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = [first, second].join(delimiter);
  try {
    t.is(loadConnection().server, 'https://k8s.example:6443');
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
});

test('a missing context or cluster is a clear error', (t) => {
  const path = kubeconfig('broken.yaml', { token: 'x' });
  t.throws(() => loadConnection({ kubeconfig: path, context: 'nope' }), { message: /no context named "nope"/ });
  t.throws(() => loadConnection({ kubeconfig: join(dir, 'absent.yaml') }), { message: /Cannot read the kubeconfig/ });
});

test('an exec plugin is run through @kubernetes/client-node', async (t) => {
  const plugin = join(dir, 'plugin.sh');
  writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`);
  chmodSync(plugin, 0o755);
  const conn = loadConnection({ kubeconfig: kubeconfig('exec.yaml', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } }) });
  const auth = await conn.authenticate();
  t.is(auth.headers.Authorization ?? auth.headers.authorization, 'Bearer from-exec');
});
