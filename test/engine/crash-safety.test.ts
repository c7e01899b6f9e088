// Crash safety against the real control plane (issue 12, docs/reliability.md): an operator SIGKILLed while a
// handler's siblings still run, or between the status write and the object's write, never runs again a handler
// whose outcome was written; a write the API server rejects for good (an object too big for its diff-base
// annotation) is retried without re-running the handlers and reported once. Fixture:
// test/fixtures/engine/crash-safety.ts.
import test, { type ExecutionContext } from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, getObject } from '../../src/kube/objects.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { Body } from '../../src/model/body.ts';

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

const DIFF_BASE = 'kopf.zalando.org/last-handled-configuration';
const fixture = fileURLToPath(new URL('../fixtures/engine/crash-safety.ts', import.meta.url));
const runner = (faults = ''): KopfRunner =>
  new KopfRunner(['run', '--standalone', '--verbose', '-n', cluster.namespace, fixture], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, KOPF_TS_FAULTS: faults },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
const get = (name: string): Promise<Body> =>
  getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name });
const create = async (
  name: string,
  kase: string,
  spec: Record<string, unknown> = { field: 'v' },
): Promise<void> => {
  await createObject(user, KEX_RESOURCE, kex(name, spec, { labels: { case: kase } }), cluster.namespace);
};
const ran = (op: KopfRunner, handler: string, name: string): number =>
  op.count(new RegExp(`${handler} ran for ${name}\\b`));

/** Kills the operator while the slow sibling sleeps, once `durable` holds on the object; restarts it; checks the runs. */
async function killWhileSiblingRuns(
  t: ExecutionContext,
  args: { name: string; kase: string; quick: string; slow: string; durable: (body: Body) => boolean },
): Promise<void> {
  const { name, kase, quick, slow } = args;
  const first = runner();
  await first.ready();
  await create(name, kase);
  // Written before the slow sibling starts (it then sleeps 8 s; a pool thread's log lines may come only at its end).
  await eventually(async () => args.durable(await get(name)), `the outcome of ${quick} on the object`);
  await first.kill();
  t.is(ran(first, quick, name), 1);
  t.notRegex(first.output, new RegExp(`\\[[^\\]]*${name}\\] Creation is processed`), 'killed before the end');

  const second = runner();
  try {
    await second.waitFor(
      new RegExp(`\\[[^\\]]*${name}\\] Creation is processed: 2 succeeded; 0 failed\\.`),
      40_000,
    );
    t.is(ran(second, quick, name), 0, `${quick} finished before the kill: it does not run again`);
    t.is(ran(second, slow, name), 1, `${slow} was killed while running: it runs again`);
    const body = await get(name);
    t.truthy(body.metadata.annotations?.[DIFF_BASE], 'the change is handled');
  } finally {
    t.is(await second.stop(), 0);
  }
}

test.serial('killed while a sibling runs, an async handler that finished is not run again', async (t) => {
  await killWhileSiblingRuns(t, {
    name: 'async-1',
    kase: 'async',
    quick: 'first_fn',
    slow: 'slow_fn',
    durable: (body) => body.status?.first_fn !== undefined,
  });
  const body = await get('async-1');
  t.deepEqual(body.status?.first_fn, { first: 'async-1' });
  t.deepEqual(body.status?.slow_fn, { slow: 'async-1' });
});

test.serial(
  'killed while a sibling runs, a plain (pool) handler that finished is not run again',
  async (t) => {
    await killWhileSiblingRuns(t, {
      name: 'sync-1',
      kase: 'sync',
      quick: 'first_sync',
      slow: 'slow_sync',
      durable: (body) => body.status?.first_sync !== undefined,
    });
    t.deepEqual((await get('sync-1')).status?.first_sync, { first: 'sync-1' });
  },
);

test.serial('a handler without a result is made durable by its progress record', async (t) => {
  await killWhileSiblingRuns(t, {
    name: 'quiet-1',
    kase: 'quiet',
    quick: 'quiet_fn',
    slow: 'later_fn',
    durable: (body) => /"success":true/.test(body.metadata.annotations?.['kopf.zalando.org/quiet_fn'] ?? ''),
  });
  const body = await get('quiet-1');
  t.falsy(body.metadata.annotations?.['kopf.zalando.org/quiet_fn'], 'progress purged when done');
});

test.serial(
  'killed between the status write and the object write: the result stays, the handler does not run again',
  async (t) => {
    const first = runner('after-status-write');
    await first.ready();
    await create('one-1', 'one');
    // The operator kills itself right after its first /status patch is acknowledged.
    await eventually(
      async () => first.exitCode !== undefined,
      'the operator to die at the fault point',
      30_000,
    );
    t.is(ran(first, 'only_fn', 'one-1'), 1);
    const crashed = await get('one-1');
    t.deepEqual(crashed.status?.only_fn, { only: 'one-1' }, 'the result was written first');
    t.falsy(crashed.metadata.annotations?.[DIFF_BASE], 'the object is not yet marked as handled');

    const second = runner();
    try {
      await second.waitFor(/\[[^\]]*one-1\] Creation is processed: 1 succeeded; 0 failed\./, 30_000);
      t.is(ran(second, 'only_fn', 'one-1'), 0, 'its success rode with its result: not run again');
      const body = await get('one-1');
      t.truthy(body.metadata.annotations?.[DIFF_BASE]);
      t.deepEqual(body.status?.only_fn, { only: 'one-1' });
    } finally {
      t.is(await second.stop(), 0);
    }
  },
);

test.serial(
  'a write rejected for good (a diff-base over the annotation limit) is retried without re-running the handler, reported once',
  async (t) => {
    const op = runner();
    try {
      await op.ready();
      // A 1 MiB spec: the object is fine (etcd takes 1.5 MiB), its diff-base annotation is not (256 KiB for all).
      await create('big-1', 'big', { field: 'v', blob: 'x'.repeat(1024 * 1024) });
      await op.waitFor(
        /\[[^\]]*big-1\] Reaction is rejected by the API server: the annotations would exceed their size limit/,
        30_000,
      );
      // The error backoff retries the write (1 s, 1 s, 2 s, …): wait for two retries, logged at debug level.
      await eventually(
        async () => op.count(/\[[^\]]*big-1\] Reaction failed again \(retrying with backoff\)/) >= 2,
        'two retries',
        30_000,
      );
      t.is(ran(op, 'big_fn', 'big-1'), 1, 'the handler succeeded once and is not run again by the retries');
      t.is(
        op.count(/\[[^\]]*big-1\] Reaction is rejected by the API server/),
        1,
        'reported once, not in a loop',
      );
      t.deepEqual((await get('big-1')).status?.big_fn, { big: 'big-1' }, 'its result is stored');
      // Everything else is still served.
      await create('after-big', 'one');
      await op.waitFor(/\[[^\]]*after-big\] Creation is processed: 1 succeeded; 0 failed\./, 30_000);
    } finally {
      t.is(await op.stop(), 0);
    }
  },
);
