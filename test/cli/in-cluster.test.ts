// In-cluster operation against the real control plane: `kopf-ts run` with no kubeconfig at all (KUBECONFIG
// unset, an empty HOME), only the in-cluster environment — KUBERNETES_SERVICE_HOST/PORT pointing at the local
// apiserver and the service-account files (token, ca.crt, namespace) in KOPF_TS_SERVICE_ACCOUNT_DIR — with a
// real minted token bound to the generated RBAC. Then the token rotates: the file gets another account's
// token and the first account is deleted (its token no longer authenticates); the operator keeps working.
import test from 'ava';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, KOPFEXAMPLES, type TestCluster } from '../helpers/cluster.ts';
import { kex } from '../helpers/kube.ts';
import { logMessages } from '../helpers/logger.ts';
import { kopfTsRbac, mintToken, serverOf, whoIs } from '../helpers/service-account.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/cli/rbac-operator.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** Writes a file as the kubelet does: a new file renamed over the old one, so no reader sees half of it. */
function replaceFile(path: string, content: string | Buffer): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
}

test('the operator runs on the in-cluster service account and follows its rotated token', async (t) => {
  const namespace = cluster.namespace;
  // Two accounts with the same generated permissions: the token file moves from the first to the second.
  const [first, second] = [`${namespace}-a`, `${namespace}-b`];
  for (const name of [first, second])
    await cluster.apply(await kopfTsRbac(cluster, [OPERATOR, '-n', namespace, '--name', name]));
  const firstToken = await mintToken(cluster, namespace, first);

  const { server, ca } = serverOf(cluster);
  const url = new URL(server);
  const saDir = mkdtempSync(join(tmpdir(), 'kopf-ts-sa-'));
  replaceFile(join(saDir, 'ca.crt'), ca);
  replaceFile(join(saDir, 'namespace'), namespace);
  replaceFile(join(saDir, 'token'), firstToken);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: mkdtempSync(join(tmpdir(), 'kopf-ts-home-')),
    KUBERNETES_SERVICE_HOST: url.hostname,
    KUBERNETES_SERVICE_PORT: url.port,
    KOPF_TS_SERVICE_ACCOUNT_DIR: saDir,
  };
  delete env.KUBECONFIG;
  const op = new KopfRunner(['run', '--standalone', '--verbose', '-n', namespace, OPERATOR], { env }).start();
  const get = async (name: string): Promise<any> =>
    await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
  const createdOf = async (name: string): Promise<unknown> =>
    await eventually(async () => (await get(name)).status?.create_fn, `status.create_fn of ${name}`, 30_000);
  try {
    await op.waitFor(`Client is configured for https://${url.hostname}:${url.port}.`, 60_000);
    await op.waitFor(/Watching kopfexamples/, 60_000);
    await cluster.custom.createNamespacedCustomObject({
      ...KOPFEXAMPLES,
      namespace,
      body: kex('before-rotation'),
    });
    t.deepEqual(await createdOf('before-rotation'), { created: 'before-rotation' });

    // Rotate: the second account's token into the file, then the first account deleted.
    replaceFile(join(saDir, 'token'), await mintToken(cluster, namespace, second));
    t.is(await whoIs(cluster, firstToken), `system:serviceaccount:${namespace}:${first}`);
    await cluster.core.deleteNamespacedServiceAccount({ namespace, name: first });
    await eventually(async () => (await whoIs(cluster, firstToken)) === 401, 'the first token to be refused');

    await cluster.custom.createNamespacedCustomObject({
      ...KOPFEXAMPLES,
      namespace,
      body: kex('after-rotation'),
    });
    t.deepEqual(await createdOf('after-rotation'), { created: 'after-rotation' });
    t.notRegex(logMessages(op.output), /\b401\b|Unauthorized|forbidden/i);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
  }
});
