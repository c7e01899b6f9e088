// Selector resolution against the real control plane's discovery: a name served by two groups is ambiguous
// and not served (logged as in Kopf), while a selector with the group is served.
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

const crd = (group: string): Record<string, unknown> =>
  crdManifest({ group, plural: 'widgets', kind: 'Widget' });

test('an ambiguous selector is not served; a precise one is', async (t) => {
  for (const group of ['alpha.kopf.dev', 'beta.kopf.dev']) {
    const res = await rawRequest(
      cluster.kc,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crd(group),
    );
    t.true(res.status < 300 || res.status === 409);
  }
  await eventually(
    async () => (await rawRequest(cluster.kc, 'GET', '/apis/beta.kopf.dev/v1')).status === 200,
    'both CRDs served',
  );
  await eventually(
    async () => (await rawRequest(cluster.kc, 'GET', '/apis/alpha.kopf.dev/v1')).status === 200,
    'both CRDs served',
  );
  const op = new KopfRunner(
    [
      'run',
      '--standalone',
      '-n',
      cluster.namespace,
      fileURLToPath(new URL('../fixtures/engine/ambiguous.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    },
  ).start();
  const user = kubeClient(cluster);
  try {
    await op.waitFor(
      /Ambiguous resources will not be served \(try specifying API groups\): widgets → widgets\.v1\.(alpha|beta)\.kopf\.dev, widgets\.v1\.(alpha|beta)\.kopf\.dev/,
    );
    await op.waitFor(/Watching widgets\.v1\.alpha\.kopf\.dev/);
    t.notRegex(op.output, /Watching widgets\.v1\.beta\.kopf\.dev/);
    await eventually(
      async () =>
        (
          await rawRequest(
            cluster.kc,
            'POST',
            `/apis/alpha.kopf.dev/v1/namespaces/${cluster.namespace}/widgets`,
            { apiVersion: 'alpha.kopf.dev/v1', kind: 'Widget', metadata: { name: 'w1' } },
          )
        ).status < 300,
      'a widget created',
    );
    const alpha = { group: 'alpha.kopf.dev', version: 'v1', plural: 'widgets', namespaced: true } as const;
    const body = await eventually(async () => {
      const b = await getObject(user, alpha, { namespace: cluster.namespace, name: 'w1' });
      return b.status?.precise_fn ? b : null;
    }, 'the widget handled');
    t.is(body.status?.precise_fn, 'ran');
    t.deepEqual(
      Object.keys(body.status ?? {}).filter((k) => k !== 'kopf'),
      ['precise_fn'],
      'no other handler ran',
    );
  } finally {
    t.is(await op.stop(), 0);
    await user.close();
  }
});
