// `kopf-ts run -A --log-format json` against the real control plane: objects in any namespace are served,
// log lines are JSON with the object's bindings, and a handler's `timeout` ends its retries.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, getObject } from '../../src/kube/objects.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('-A serves every namespace; JSON logs carry the bindings; timeout stops retries', async (t) => {
  const other = `${cluster.namespace}-other`;
  await cluster.core.createNamespace({ body: { metadata: { name: other } } });
  const op = new KopfRunner(['run', '--standalone', '-A', '--log-format', 'json', fileURLToPath(new URL('../fixtures/engine/all-namespaces.ts', import.meta.url))], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  const user = kubeClient(cluster);
  try {
    await op.waitFor(/Watching kopfexamples\.v1\.kopf\.dev cluster-wide/);
    for (const ns of [cluster.namespace, other]) {
      await createObject(user, KEX_RESOURCE, kex('wide', { field: 'v' }, { labels: { case: 'cluster-wide' } }), ns);
    }
    for (const ns of [cluster.namespace, other]) {
      const body = await eventually(async () => {
        const b = await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'wide' });
        return b.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'] && b.status?.everywhere_fn ? b : null;
      }, `the object in ${ns} handled`, 30_000);
      t.deepEqual(body.status!.everywhere_fn, { namespace: ns });
    }
    const records = op.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const seen = records.find((r) => r.msg === `seen in ${other}`);
    t.like(seen, { namespace: other, name: 'wide', kind: 'KopfExample', level: 30 });
    t.regex(String(seen!.uid), /^[0-9a-f-]{36}$/);
    t.true(records.some((r) => String(r.msg).startsWith("Handler 'out_of_time' failed temporarily but will time out after 1.5 seconds")));
  } finally {
    t.is(await op.stop(), 0);
    await user.close();
  }
});
