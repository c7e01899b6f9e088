// Cluster-scoped resources against the real control plane: served by one cluster-wide watch even when the
// operator is limited to namespaces; `namespace` is null for their handlers.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, rawRequest, crdManifest, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient } from '../helpers/kube.ts';
import { getObject } from '../../src/kube/objects.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('a cluster-scoped resource is watched cluster-wide and handled', async (t) => {
  const crd = crdManifest({
    group: 'kopf.dev',
    plural: 'clusterthings',
    kind: 'ClusterThing',
    scope: 'Cluster',
  });
  const res = await rawRequest(
    cluster.kc,
    'POST',
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    crd,
  );
  t.true(res.status < 300 || res.status === 409);
  await eventually(
    async () => (await rawRequest(cluster.kc, 'GET', '/apis/kopf.dev/v1/clusterthings')).status === 200,
    'the CRD served',
  );
  const op = new KopfRunner(
    [
      'run',
      '--standalone',
      '-n',
      cluster.namespace,
      fileURLToPath(new URL('../fixtures/engine/cluster-scoped.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    },
  ).start();
  const user = kubeClient(cluster);
  try {
    await op.waitFor(/Watching clusterthings\.v1\.kopf\.dev cluster-wide/);
    const name = `thing-${cluster.namespace}`;
    await eventually(
      async () =>
        (
          await rawRequest(cluster.kc, 'POST', '/apis/kopf.dev/v1/clusterthings', {
            apiVersion: 'kopf.dev/v1',
            kind: 'ClusterThing',
            metadata: { name },
          })
        ).status < 300,
      'a ClusterThing created',
    );
    const things = { group: 'kopf.dev', version: 'v1', plural: 'clusterthings', namespaced: false } as const;
    const body = await eventually(async () => {
      const b = await getObject(user, things, { name });
      return b.status?.thing_fn ? b : null;
    }, 'the ClusterThing handled');
    t.deepEqual(body.status!.thing_fn, { name, namespaceIsNull: true });
    // The line may reach the pipe after the write: wait for it (cluster-scoped objects are logged as [name]).
    t.truthy(await op.waitFor(new RegExp(`\\[${name}\\] Handler 'thing_fn' succeeded\\.`), 10_000));
  } finally {
    t.is(await op.stop(), 0);
    await user.close();
  }
});
