// `on.event` handlers through each object's queue (issue 12): the runs of one object follow the order of its
// watch events even when an early run is slow, and all runs count in settings.queueing.workerLimit.
// Fixture: test/fixtures/engine/event-order.ts.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, patchObject } from '../../src/kube/objects.ts';
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

test('the event handlers of one object run in the order of its events, within the workerLimit', async (t) => {
  const op = new KopfRunner(
    [
      'run',
      '--standalone',
      '-n',
      cluster.namespace,
      fileURLToPath(new URL('../fixtures/engine/event-order.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    },
  ).start();
  try {
    await op.ready();
    const names = ['ordered-a', 'ordered-b', 'ordered-c'];
    for (const name of names)
      await createObject(user, KEX_RESOURCE, kex(name, { field: 'v0' }), cluster.namespace);
    // Three quick spec changes per object while its first (slow) run still sleeps: generations 2, 3, 4.
    for (let i = 1; i <= 3; i++) {
      for (const name of names) {
        await patchObject(
          user,
          KEX_RESOURCE,
          { namespace: cluster.namespace, name },
          { spec: { field: `v${i}` } },
          { type: 'merge' },
        );
      }
    }
    await eventually(
      async () => names.every((name) => op.count(new RegExp(`event end ${name} MODIFIED gen=4\\b`)) >= 1),
      'every change seen',
      30_000,
    );
    for (const name of names) {
      const lines = op.output
        .split('\n')
        .filter((line) => line.includes(`event start ${name} `) || line.includes(`event end ${name} `));
      const seq = lines.map((line) => /event (start|end) \S+ (\w+) gen=(\d+)/.exec(line)!.slice(1).join(' '));
      // Start and end alternate (never two runs of one object at once), and generations never go back.
      for (let i = 0; i < seq.length; i++)
        t.true(seq[i]!.startsWith(i % 2 === 0 ? 'start' : 'end'), `${name}: ${seq.join(' | ')}`);
      const gens = seq.filter((s) => s.startsWith('start')).map((s) => Number(s.split(' ')[2]));
      t.deepEqual(
        gens,
        [...gens].sort((a, b) => a - b),
        `${name}: in order`,
      );
      t.is(gens[0], 1);
      t.is(gens.at(-1), 4);
    }
    const concurrency = [...op.output.matchAll(/running=(\d+)/g)].map((m) => Number(m[1]));
    t.true(Math.max(...concurrency) <= 2, `at most workerLimit=2 at once; saw ${Math.max(...concurrency)}`);
    t.true(Math.max(...concurrency) === 2, 'two objects did run at once');
  } finally {
    t.is(await op.stop(), 0);
  }
});
