// Compatibility with state written by Kopf (kopf-behavior.md §3–§5): an object Kopf has handled carries its
// diff-base annotation and results; kopf-ts must not run the create handler again, and an update must see
// the diff against Kopf's diff-base.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, getObject, patchObject } from '../../src/kube/objects.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('an object handled by Kopf is not created again, and updates diff against its diff-base', async (t) => {
  const user = kubeClient(cluster);
  const ns = cluster.namespace;
  // Exactly what Kopf 1.44 leaves on examples/obj.yaml after its create handler: the essence as compact JSON
  // with a trailing newline (spec first, then metadata labels and annotations), and the result in status.
  const kopfDiffBase =
    '{"spec":{"duration":"1m","field":"value","items":["item1","item2"]},"metadata":{"labels":{"somelabel":"somevalue"},"annotations":{"someannotation":"somevalue"}}}\n';
  const created = await createObject(
    user,
    KEX_RESOURCE,
    {
      apiVersion: 'kopf.dev/v1',
      kind: 'KopfExample',
      metadata: {
        name: 'from-kopf',
        labels: { somelabel: 'somevalue' },
        annotations: { someannotation: 'somevalue', 'kopf.zalando.org/last-handled-configuration': kopfDiffBase },
      },
      spec: { duration: '1m', field: 'value', items: ['item1', 'item2'] },
    },
    ns,
  );
  await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'from-kopf' }, { status: { create_fn: { message: 'hello world' } } }, { type: 'merge', subresource: 'status' });

  const op = new KopfRunner(['run', '--standalone', '--verbose', '-n', ns, fileURLToPath(new URL('../fixtures/engine/compat.ts', import.meta.url))], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  try {
    await op.waitFor(/Watching kopfexamples/);
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'from-kopf' }, { spec: { field: 'changed' } }, { type: 'merge' });
    await op.waitFor(/Updating is processed: 1 succeeded; 0 failed\./);
    t.regex(op.output, /update_fn diff=\[\["change",\["spec","field"\],"value","changed"\]\]/);
    t.notRegex(op.output, /create_fn ran/);
    const body = await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'from-kopf' });
    t.deepEqual(body.status, { create_fn: { message: 'hello world' } }, "Kopf's result is untouched");
    t.is(
      body.metadata.annotations!['kopf.zalando.org/last-handled-configuration'],
      kopfDiffBase.replace('"field":"value"', '"field":"changed"'),
      'the new diff-base is written in the same format',
    );
    t.truthy(created.metadata.uid);
  } finally {
    t.is(await op.stop(), 0);
    await user.close();
  }
});
