// A deletion supersedes an unfinished creation (Kopf's "Creation is superseded by deletion"): the delete
// handler runs at once, the retrying create handler's record is purged, and the object is released.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, deleteObject, getObject } from '../../src/kube/objects.ts';
import { ignoreNotFound } from '../../src/kube/errors.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('a deletion supersedes a retrying creation and releases the object', async (t) => {
  const user = kubeClient(cluster);
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, fileURLToPath(new URL('../fixtures/engine/superseded.ts', import.meta.url))], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  try {
    await op.waitFor(/Watching kopfexamples/);
    await createObject(user, KEX_RESOURCE, kex('doomed', { field: 'v' }, { labels: { case: 'supersede' } }), cluster.namespace);
    await op.waitFor(/Handler 'never_ready' failed temporarily: not ready/);
    await eventually(async () => {
      const b = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'doomed' });
      return b.metadata.annotations?.['kopf.zalando.org/never_ready'];
    }, 'the retry recorded');
    await deleteObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'doomed' });
    await op.waitFor(/Creation is superseded by deletion: 0 succeeded; 0 failed; 1 left to the moment\./);
    await op.waitFor(/Deletion is processed: 1 succeeded; 0 failed\./);
    await eventually(async () => (await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'doomed' }).catch(ignoreNotFound)) === undefined, 'the object released and gone');
    t.is(op.count(/cleanup ran/g), 1);
  } finally {
    t.is(await op.stop(), 0);
    await user.close();
  }
});
