// The logger → Events bridge (settings.posting.loggers), against the real control plane: records at the
// posting level or above become Events about the object; lower ones do not.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject } from '../../src/kube/objects.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('log records at the posting level become Events', async (t) => {
  const user = kubeClient(cluster);
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, fileURLToPath(new URL('../fixtures/engine/log-events.ts', import.meta.url))], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  try {
    await op.waitFor(/Watching kopfexamples/);
    const obj = await createObject(user, KEX_RESOURCE, kex('chatty'), cluster.namespace);
    await op.waitFor(/Creation is processed: 1 succeeded; 0 failed\./);
    const events = await eventually(async () => {
      const list = await cluster.core.listNamespacedEvent({ namespace: cluster.namespace });
      const ours = list.items.filter((e) => e.involvedObject.uid === obj.metadata.uid && e.reason === 'Logging');
      return ours.length ? ours : null;
    }, 'a Logging event');
    t.deepEqual(events.map((e) => [e.type, e.message]), [['Warning', 'a warning worth an Event']]);
  } finally {
    t.is(await op.stop(), 0);
    await user.close();
  }
});
