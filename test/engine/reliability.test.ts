// Reliability against the real control plane: a SIGKILLed operator continues a retrying handler with the
// right `retry` and never re-runs a finished one; bad input (a handler throwing a non-Error, an unresolvable
// selector, an unreadable diff-base) gives a clear log line and everything else keeps being served.
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

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/engine/${name}`, import.meta.url));
const runner = (file: string): KopfRunner =>
  new KopfRunner(['run', '--standalone', '--verbose', '-n', cluster.namespace, fixture(file)], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();

test.serial('killed between attempts, a restarted operator continues with the right retry', async (t) => {
  const first = runner('retrying.ts');
  await first.waitFor(/Watching kopfexamples/);
  await createObject(
    user,
    KEX_RESOURCE,
    kex('retried', { field: 'v' }, { labels: { case: 'retry' } }),
    cluster.namespace,
  );
  await first.waitFor(/slow attempt with retry=0/);
  await first.waitFor(/Handler 'slow' failed temporarily: not yet/);
  // The progress is stored before the operator sleeps; wait until it is on the object, then kill -9.
  await eventually(async () => {
    const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'retried' });
    return body.metadata.annotations?.['kopf.zalando.org/slow']?.includes('"retries":1');
  }, 'the progress of slow on the object');
  await first.kill();
  t.regex(first.output, /quick ran/);

  const second = runner('retrying.ts');
  try {
    await second.waitFor(/Creation is processed: 2 succeeded; 0 failed\./, 30_000);
    t.notRegex(second.output, /quick ran/, 'a finished handler is not re-run');
    t.notRegex(second.output, /retry=0/);
    t.regex(second.output, /slow attempt with retry=1/);
    t.regex(second.output, /slow attempt with retry=2/);
    // "processed" is logged after the final write.
    const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'retried' });
    t.truthy(body.metadata.annotations?.['kopf.zalando.org/last-handled-configuration']);
    const { kopf, ...results } = body.status as { kopf?: { handled?: { change: string } } };
    t.deepEqual(results, { quick: 'done', slow: { attempts: 3 } });
    // The handled marks rode with the results and were spent with the diff-base (src/model/handled-marks.ts).
    t.is(body.metadata.annotations?.['kopf.zalando.org/spent-marks'], kopf?.handled?.change);
    t.falsy(body.metadata.annotations?.['kopf.zalando.org/slow'], 'progress purged when done');
  } finally {
    t.is(await second.stop(), 0);
  }
});

test.serial('bad input is reported clearly and the operator keeps serving', async (t) => {
  const op = runner('robust.ts');
  try {
    await op.waitFor(/Unresolved resources cannot be served \(try creating their CRDs\): nonexistentkinds/);
    await op.waitFor(/Watching kopfexamples/);
    await createObject(
      user,
      KEX_RESOURCE,
      kex('thrower', { field: 'v' }, { labels: { case: 'string-throw' } }),
      cluster.namespace,
    );
    await op.waitFor(
      /Handler 'throws_a_string' failed with an exception and will stop now: a plain string, not an Error/,
    );
    // An object whose diff-base annotation is not JSON is treated as new, with a warning.
    const broken = kex(
      'broken',
      { field: 'v' },
      { annotations: { 'kopf.zalando.org/last-handled-configuration': '{not json' } },
    );
    await createObject(user, KEX_RESOURCE, broken, cluster.namespace);
    await op.waitFor(/diff-base kopf\.zalando\.org\/last-handled-configuration is unreadable/);
    await createObject(user, KEX_RESOURCE, kex('fine'), cluster.namespace);
    for (const name of ['thrower', 'broken', 'fine']) {
      const body = await eventually(async () => {
        const b = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name });
        return b.status?.works ? b : null;
      }, `${name} handled`);
      t.deepEqual(body.status!.works, { seen: name });
    }
    t.notRegex(op.output, /must never run/);
  } finally {
    t.is(await op.stop(), 0);
  }
});

test.serial(
  'a result that cannot be stored fails its own handler, with a clear message; its sibling runs once',
  async (t) => {
    const op = runner('robust.ts');
    try {
      await op.waitFor(/Watching kopfexamples/);
      await createObject(
        user,
        KEX_RESOURCE,
        kex('unstorable', { field: 'v' }, { labels: { case: 'unstorable' } }),
        cluster.namespace,
      );
      await op.waitFor(/\[[^\]]*unstorable\] Creation is processed: 2 succeeded; 2 failed\./, 60_000); // with 'works', which serves every object
      t.regex(op.output, /The result of the handler 'returns_bigint' cannot be stored as JSON: .*BigInt/);
      t.regex(op.output, /The result of the handler 'returns_a_cycle' cannot be stored as JSON: .*circular/i);
      t.is(op.count(/sibling ran/), 1, 'the sibling is not re-run while the others retry');
      t.is(op.count(/returns_bigint ran/), 2, 'retried per its options, then given up');
      const body = await eventually(async () => {
        const b = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'unstorable' });
        return b.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'] ? b : null;
      }, 'the change handled');
      t.is(body.status?.sibling, 'fine');
      t.is(body.status?.returns_bigint, undefined);
    } finally {
      t.is(await op.stop(), 0);
    }
  },
);
