// Plain handlers (Kopf's `def`) get the same kopf API on the worker pool as async ones in the event loop (issue
// 13, point 1), with a real control plane and `kopf-ts run` in a child process: Events posted from a pool thread
// are in the API; adopt/label without an owner take the running handler's object; sub-handlers declared by a
// plain parent run (plain and async), with their progress stored in Kopf's format while one is retried, and
// their results in status; a plain timer's Events arrive while it runs.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, KOPFEXAMPLES, testCluster, type TestCluster } from '../helpers/cluster.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/plain/operator.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

async function eventsOf(name: string): Promise<{ reason: string; type: string; message: string }[]> {
  const list = await cluster.core.listNamespacedEvent({
    namespace: cluster.namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items.map((e) => ({ reason: e.reason ?? '', type: e.type ?? '', message: e.message ?? '' }));
}

test('plain handlers on the pool: Events, adopt/label without an owner, sub-handlers, a plain timer', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '--verbose', '-n', cluster.namespace, OPERATOR], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  try {
    await op.waitFor(/Watching kopfexamples/, 60_000);
    await cluster.apply(
      '{"apiVersion": "kopf.dev/v1", "kind": "KopfExample", "metadata": {"name": "plain", "labels": {"app": "demo"}}, "spec": {"field": "f1"}}',
    );
    const get = async (): Promise<any> =>
      await cluster.custom.getNamespacedCustomObject({
        ...KOPFEXAMPLES,
        namespace: cluster.namespace,
        name: 'plain',
      });

    // While 'flaky' waits for its retry, its progress is stored as Kopf stores it; 'plain' is already done.
    const during = await eventually(async () => {
      const o = await get();
      return o.metadata.annotations?.['kopf.zalando.org/create_fn.flaky'] ? o : null;
    }, `the progress of create_fn/flaky; output:\n${op.output}`);
    const flaky = JSON.parse(during.metadata.annotations['kopf.zalando.org/create_fn.flaky']);
    t.like(flaky, { retries: 1, success: false, failure: false, message: 'not yet' });
    t.truthy(flaky.delayed && flaky.started);

    const obj = await eventually(async () => {
      const o = await get();
      return o.status?.create_fn && o.status['create_fn/flaky'] ? o : null;
    }, `the results; output:\n${op.output}`);
    const uid = obj.metadata.uid;
    t.true(obj.status.create_fn.threadId > 0, 'the parent ran on a pool thread');
    t.like(obj.status['create_fn/plain'], { child: 'plain', field: 'f1' });
    t.true(obj.status['create_fn/plain'].threadId > 0);
    t.like(obj.status['create_fn/flaky'], { child: 'flaky', retry: 1 });
    const child = obj.status.create_fn.child;
    t.like(child.metadata.ownerReferences?.[0], {
      kind: 'KopfExample',
      name: 'plain',
      uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    t.is(child.metadata.namespace, cluster.namespace, 'adopt() put the child into the owner’s namespace');
    t.regex(
      child.metadata.generateName ?? child.metadata.name ?? '',
      /^plain-/,
      'adopt() named the child after the owner',
    );
    t.like(child.metadata.labels, { 'extra-label': 'yes', app: 'demo' });
    // The log lines may reach the pipe after the write: wait for the last one before counting.
    await op.waitFor(/Handler 'create_fn\/flaky' succeeded/, 10_000);
    t.is(op.count(/Handler 'create_fn\/plain' succeeded/), 1);
    t.is(op.count(/Handler 'create_fn\/flaky' succeeded/), 1);
    t.regex(op.output, /create_fn declared its sub-handlers/);
    await eventually(
      async () =>
        !Object.keys((await get()).metadata.annotations ?? {}).some((k) =>
          k.startsWith('kopf.zalando.org/create_fn'),
        ),
      'the progress purged',
    );

    const events = await eventually(async () => {
      const all = await eventsOf('plain');
      const reasons = new Set(all.map((e) => e.reason));
      return ['PlainEvent', 'PlainInfo', 'PlainWarn', 'PlainException', 'PlainTick'].every((r) =>
        reasons.has(r),
      )
        ? all
        : null;
    }, `the Events of the plain handlers; output:\n${op.output}`);
    t.like(
      events.find((e) => e.reason === 'PlainEvent'),
      { type: 'SomeType', message: 'from a pool thread' },
    );
    t.like(
      events.find((e) => e.reason === 'PlainWarn'),
      { type: 'Warning' },
    );
    t.regex(events.find((e) => e.reason === 'PlainException')!.message, /failed: .*on purpose/);
    t.true((await get()).status.tick.threadId > 0, 'the timer ran on a pool thread');
    t.notRegex(op.output, /works only|only inside a change handler|Unhandled|uncaught/i);
  } finally {
    t.is(await op.stop(), 0);
  }
});
