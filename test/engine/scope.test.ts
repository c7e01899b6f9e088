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
  for (const ns of [served, excluded])
    await cluster.core.createNamespace({ body: { metadata: { name: ns } } });
  const op = new KopfRunner(
    [
      'run',
      '--standalone',
      '-n',
      `${base}-*,!${base}-skip`,
      fileURLToPath(new URL('../fixtures/engine/late-crd.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    },
  ).start();
  try {
    await op.waitFor(new RegExp(`Watching kopfexamples\\.v1\\.kopf\\.dev in ${served}`));
    await op.waitFor(
      /Unresolved resources cannot be served \(try creating their CRDs\): latecomers\.late\.kopf\.dev/,
    );
    t.notRegex(op.output, new RegExp(`in ${excluded}`));

    await createObject(user, KEX_RESOURCE, kex('in-served'), served);
    await createObject(user, KEX_RESOURCE, kex('in-excluded'), excluded);
    await cluster.core.createNamespace({ body: { metadata: { name: later } } });
    await op.waitFor(new RegExp(`Watching kopfexamples\\.v1\\.kopf\\.dev in ${later}`));
    await createObject(user, KEX_RESOURCE, kex('in-later'), later);
    for (const [ns, name] of [
      [served, 'in-served'],
      [later, 'in-later'],
    ] as const) {
      const body = await eventually(async () => {
        const b = await getObject(user, KEX_RESOURCE, { namespace: ns, name });
        return b.status?.scoped_fn ? b : null;
      }, `${name} handled`);
      t.deepEqual(body.status!.scoped_fn, { in: ns });
    }

    // The CRD appears while the operator runs.
    const crd = crdManifest({ group: 'late.kopf.dev', plural: 'latecomers', kind: 'Latecomer' });
    const res = await rawRequest(
      cluster.kc,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crd,
    );
    t.true(res.status < 300 || res.status === 409, JSON.stringify(res.json).slice(0, 200));
    await op.waitFor(new RegExp(`Watching latecomers\\.v1\\.late\\.kopf\\.dev in ${served}`), 30_000);
    const late = { group: 'late.kopf.dev', version: 'v1', plural: 'latecomers', namespaced: true } as const;
    await eventually(
      async () =>
        (
          await rawRequest(cluster.kc, 'POST', `/apis/late.kopf.dev/v1/namespaces/${served}/latecomers`, {
            apiVersion: 'late.kopf.dev/v1',
            kind: 'Latecomer',
            metadata: { name: 'l1' },
          })
        ).status < 300,
      'creating a Latecomer',
    );
    const body = await eventually(async () => {
      const b = await getObject(user, late, { namespace: served, name: 'l1' });
      return b.status?.late_fn ? b : null;
    }, 'the Latecomer handled');
    t.deepEqual(body.status!.late_fn, { seen: `${served}/l1` });

    // The CRD goes: its watch stops (discovery of its group only) and so do its objects' actors.
    await rawRequest(
      cluster.kc,
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/latecomers.late.kopf.dev',
    );
    await op.waitFor(
      new RegExp(`Stopped watching latecomers\\.v1\\.late\\.kopf\\.dev in ${served} \\(no longer served\\)`),
      30_000,
    );

    const skipped = await getObject(user, KEX_RESOURCE, { namespace: excluded, name: 'in-excluded' });
    t.is(skipped.status, undefined, 'the excluded namespace is not served');
    t.falsy(skipped.metadata.annotations?.['kopf.zalando.org/last-handled-configuration']);
  } finally {
    t.is(await op.stop(), 0);
  }
});

test('a namespace no longer served stops the actors of its objects, with their daemons', async (t) => {
  const ending = `${cluster.namespace}-end`;
  await cluster.core.createNamespace({ body: { metadata: { name: ending } } });
  const op = new KopfRunner(
    [
      'run',
      '--standalone',
      '-n',
      `${cluster.namespace}-en*`,
      fileURLToPath(new URL('../fixtures/engine/scope-end.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    },
  ).start();
  try {
    await op.ready();
    await createObject(user, KEX_RESOURCE, kex('ticking'), ending);
    await op.waitFor(/tick ticking/, 30_000);
    // Deleting the namespace ends it for the operator at once (no namespace controller runs here to empty it, so
    // the object stays): its watch stops, and so must the object's actor and daemon.
    await cluster.core.deleteNamespace({ name: ending });
    await op.waitFor(
      new RegExp(
        `Stopped watching kopfexamples\\.v1\\.kopf\\.dev in ${ending} \\(no longer served\\) and the actors of its 1 objects\\.`,
      ),
      30_000,
    );
    t.regex(op.output, /ticker of ticking stopped: FILTERS_MISMATCH/);
    t.truthy(
      await getObject(user, KEX_RESOURCE, { namespace: ending, name: 'ticking' }),
      'the object itself stays',
    );
    // A new object there is not served any more (no new actor, no tick).
    await createObject(user, KEX_RESOURCE, kex('too-late'), ending).catch(() => undefined); // refused while Terminating
  } finally {
    t.is(await op.stop(), 0);
  }
  // Up to its exit, the daemon never ticked again after its stop.
  const after = op.output.slice(op.output.indexOf('ticker of ticking stopped'));
  t.notRegex(after, /tick ticking/);
  t.notRegex(op.output, /tick too-late/);
});
