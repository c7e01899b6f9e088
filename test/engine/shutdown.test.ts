// Graceful shutdown against the real control plane: SIGTERM while a handler runs stops the operator within
// its exit timeout with code 0 and writes nothing half-done; after a restart the handler runs to completion.
// Also: `-m MODULE` loads an operator module, and the concurrency limit holds.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
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

const slow = fileURLToPath(new URL('../fixtures/engine/slow.ts', import.meta.url));

test.serial('SIGTERM during a handler: a prompt, clean exit, nothing half-written, done after a restart', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, '-m', slow], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, SLOW_MS: '6000' },
  }).start();
  await op.waitFor(/Watching kopfexamples/);
  await createObject(user, KEX_RESOURCE, kex('slowpoke', { field: 'v' }, { labels: { case: 'slow' } }), cluster.namespace);
  await op.waitFor(/slow_fn starts \(retry=0\)/);
  const stopping = Date.now();
  t.is(await op.stop(), 0);
  const took = Date.now() - stopping;
  t.true(took < 5000, `stopped in ${took} ms (exit timeout 1 s; the handler needed 6 s)`);
  t.regex(op.output, /1 objects were still reacting at exit; they continue after a restart\./);
  const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'slowpoke' });
  t.is(body.status, undefined, 'no result written');
  t.falsy(body.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'], 'no diff-base written');

  const again = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, '-m', slow], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, SLOW_MS: '100' },
  }).start();
  try {
    await again.waitFor(/Creation is processed: 1 succeeded; 0 failed\./);
    const done = await eventually(async () => {
      const b = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'slowpoke' });
      return b.status?.slow_fn ? b : null;
    }, 'the result');
    t.is(done.status!.slow_fn, 'finished');
  } finally {
    t.is(await again.stop(), 0);
  }
});

test.serial('SIGTERM during a short handler: it finishes and its result is written before the exit', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, '-m', slow], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, SLOW_MS: '400' },
  }).start();
  await op.waitFor(/Watching kopfexamples/);
  await createObject(user, KEX_RESOURCE, kex('quickish', { field: 'v' }, { labels: { case: 'slow' } }), cluster.namespace);
  await op.waitFor(/slow_fn starts \(retry=0\)/);
  t.is(await op.stop(), 0);
  t.notRegex(op.output, /still reacting at exit/);
  const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'quickish' });
  t.is(body.status?.slow_fn, 'finished');
});
