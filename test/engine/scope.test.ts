// What the operator serves, against the real control plane: a CRD created after the start is picked up;
// namespace patterns (globs and `!` exclusions) decide which namespaces are served, also for namespaces
// created while it runs.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, rawRequest, crdManifest, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, getObject } from '../../src/kube/objects.ts';
import type { KubeClient } from '../../src/kube/client.ts';

let cluster: TestCluster;
let user: KubeClient;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  user = kubeClient(cluster);
});
test.after.always(async () => {
  await user?.close();
  await cluster?.close();
});

test('namespace globs with exclusions; a CRD created later is served', async (t) => {
  const base = cluster.namespace;
  const served = `${base}-a`;
  const excluded = `${base}-skip`;
  const later = `${base}-b`;
  for (const ns of [served, excluded]) await cluster.core.createNamespace({ body: { metadata: { name: ns } } });
  const op = new KopfRunner(['run', '--standalone', '-n', `${base}-*,!${base}-skip`, fileURLToPath(new URL('../fixtures/engine/late-crd.ts', import.meta.url))], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
  try {
    await op.waitFor(new RegExp(`Watching kopfexamples\\.v1\\.kopf\\.dev in ${served}`));
    await op.waitFor(/Unresolved resources cannot be served \(try creating their CRDs\): latecomers\.late\.kopf\.dev/);
    t.notRegex(op.output, new RegExp(`in ${excluded}`));

    await createObject(user, KEX_RESOURCE, kex('in-served'), served);
    await createObject(user, KEX_RESOURCE, kex('in-excluded'), excluded);
    await cluster.core.createNamespace({ body: { metadata: { name: later } } });
    await op.waitFor(new RegExp(`Watching kopfexamples\\.v1\\.kopf\\.dev in ${later}`));
    await createObject(user, KEX_RESOURCE, kex('in-later'), later);
    for (const [ns, name] of [[served, 'in-served'], [later, 'in-later']] as const) {
      const body = await eventually(async () => {
        const b = await getObject(user, KEX_RESOURCE, { namespace: ns, name });
        return b.status?.scoped_fn ? b : null;
      }, `${name} handled`);
      t.deepEqual(body.status!.scoped_fn, { in: ns });
    }

    // The CRD appears while the operator runs.
    const crd = crdManifest({ group: 'late.kopf.dev', plural: 'latecomers', kind: 'Latecomer' });
    const res = await rawRequest(cluster.kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    t.true(res.status < 300 || res.status === 409, JSON.stringify(res.json).slice(0, 200));
    await op.waitFor(new RegExp(`Watching latecomers\\.v1\\.late\\.kopf\\.dev in ${served}`), 30_000);
    const late = { group: 'late.kopf.dev', version: 'v1', plural: 'latecomers', namespaced: true } as const;
    await eventually(async () => (await rawRequest(cluster.kc, 'POST', `/apis/late.kopf.dev/v1/namespaces/${served}/latecomers`, { apiVersion: 'late.kopf.dev/v1', kind: 'Latecomer', metadata: { name: 'l1' } })).status < 300, 'creating a Latecomer');
    const body = await eventually(async () => {
      const b = await getObject(user, late, { namespace: served, name: 'l1' });
      return b.status?.late_fn ? b : null;
    }, 'the Latecomer handled');
    t.deepEqual(body.status!.late_fn, { seen: `${served}/l1` });

    const skipped = await getObject(user, KEX_RESOURCE, { namespace: excluded, name: 'in-excluded' });
    t.is(skipped.status, undefined, 'the excluded namespace is not served');
    t.falsy(skipped.metadata.annotations?.['kopf.zalando.org/last-handled-configuration']);
  } finally {
    t.is(await op.stop(), 0);
  }
});
