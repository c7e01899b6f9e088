// `kopf.on.login` against the real control plane, run as users run it (`kopf-ts run` in a child process with a
// bogus KUBECONFIG, so only the login handler can make it work): the handler returns a real ServiceAccount's
// minted token and the test kubeconfig's CA, and the operator handles objects with it; after a 401 (its
// ServiceAccount deleted) and after an expiration, the handler is called again and the operator keeps working
// with what it returns; a handler that keeps failing is retried per its options, then the operator stops with
// the handler's error.
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, KOPFEXAMPLES, type TestCluster } from '../helpers/cluster.ts';
import { kex } from '../helpers/kube.ts';
import { kopfTsRbac, mintToken, serverOf, whoIs } from '../helpers/service-account.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/cli/login-operator.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** A directory the login handler reads: the server, the CA, and (when given) a token. */
function loginDir(token?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-login-'));
  const { server, ca } = serverOf(cluster);
  writeFileSync(join(dir, 'server'), server);
  writeFileSync(join(dir, 'ca.crt'), ca);
  if (token) writeFileSync(join(dir, 'token'), token);
  return dir;
}

const calls = (dir: string): number =>
  readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).length;

/** The operator with no usable kubeconfig: only the login handler can connect it. */
function start(dir: string, namespace: string): KopfRunner {
  return new KopfRunner(['run', '--standalone', '-n', namespace, OPERATOR], {
    env: { ...process.env, KUBECONFIG: join(dir, 'no-such-kubeconfig'), LOGIN_TEST_DIR: dir },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
}

/** A ServiceAccount `name` in `namespace` with the RBAC `kopf-ts rbac` generates for the operator; its token. */
async function serviceAccount(namespace: string, name: string): Promise<string> {
  await cluster.apply(await kopfTsRbac(cluster, [OPERATOR, '-n', namespace, '--name', name]));
  return await mintToken(cluster, namespace, name);
}

const createKex = async (namespace: string, name: string): Promise<void> => {
  await cluster.custom.createNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, body: kex(name) });
};
const handled = async (namespace: string, name: string): Promise<unknown> =>
  await eventually(
    async () =>
      ((await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name })) as any).status
        ?.create_fn,
    `${name} to be handled`,
    30_000,
  );

test('a login handler: a ServiceAccount token works, a 401 and an expiration re-login, and the operator keeps working', async (t) => {
  const namespace = `${cluster.namespace}-sa`;
  await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  const first = await serviceAccount(namespace, 'login-first');
  const dir = loginDir(first);
  writeFileSync(join(dir, 'fail'), '2'); // the first two attempts fail: retried per the handler's options
  const op = start(dir, namespace);
  try {
    await op.waitFor(/Watching kopfexamples/, 60_000);
    t.is(calls(dir), 3, op.output);
    t.regex(op.output, /the login service is down \(retry 1\)/);
    t.regex(op.output, /Initial authentication has finished/);
    await createKex(namespace, 'first');
    t.deepEqual(await handled(namespace, 'first'), { created: 'first' });

    // 401: the first ServiceAccount is gone; the handler now returns the second one's token, expiring soon.
    writeFileSync(join(dir, 'fail'), '0');
    writeFileSync(join(dir, 'token'), await serviceAccount(namespace, 'login-second'));
    writeFileSync(join(dir, 'ttl'), '3');
    await cluster.core.deleteNamespacedServiceAccount({ namespace, name: 'login-first' });
    // The API server caches authenticated tokens for a few seconds: wait until it refuses the first one.
    await eventually(
      async () => (await whoIs(cluster, first)) === 401,
      'the first token to be refused',
      30_000,
      500,
    );
    await createKex(namespace, 'second');
    t.deepEqual(await handled(namespace, 'second'), { created: 'second' });
    t.regex(op.output, /Re-authentication has been initiated \(the API server answered 401\)/);
    t.is(calls(dir), 4);

    // Expiration: once the credentials expired, the next request logs in again; new objects are still handled.
    let n = 0;
    await eventually(
      async () => {
        const name = `expiring-${++n}`;
        await createKex(namespace, name);
        await handled(namespace, name);
        return /the credentials expired/.test(op.output);
      },
      'a re-login after the expiration',
      30_000,
      1000,
    );
    t.true(calls(dir) >= 5);
    await createKex(namespace, 'last');
    t.deepEqual(await handled(namespace, 'last'), { created: 'last' });
    t.notRegex(op.output, /LoginError|Ran out of valid credentials/);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
  }
});

test('a login handler that keeps failing is retried per its options, then the operator stops with its error', async (t) => {
  const dir = loginDir();
  writeFileSync(join(dir, 'fail'), '100');
  const op = start(dir, cluster.namespace);
  await eventually(() => op.exitCode !== undefined, 'the operator to exit', 30_000);
  t.is(op.exitCode, 1);
  t.is(calls(dir), 3); // retries: 3
  t.regex(op.output, /kopf-ts: The login handler 'login_fn' failed: .*the login service is down \(retry 2\)/);
  t.notRegex(op.output, /no-such-kubeconfig/); // the default login was never tried
  t.notRegex(op.output, /\n\s+at /); // no stack trace
});
