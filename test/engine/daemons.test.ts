// Daemons and timers against the real control plane: a daemon that ignores `stopped` is abandoned and the
// finalizer released; operator exit stops daemons with OPERATOR_EXITING; filters that stop matching stop a
// daemon and matching again respawns it; a daemon that returned is not restarted; `initialDelay` as a
// function; timers write a result only when it changes.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import * as kopf from '../../src/index.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, deleteObject, getObject, patchObject } from '../../src/kube/objects.ts';
import { ApiNotFoundError } from '../../src/kube/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { quietLogger } from '../helpers/logger.ts';

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

const fixture = fileURLToPath(new URL('../fixtures/engine/daemons.ts', import.meta.url));
const FINALIZER = 'kopf.zalando.org/KopfFinalizerMarker';

async function gone(name: string): Promise<boolean> {
  try {
    await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name });
    return false;
  } catch (err) {
    if (err instanceof ApiNotFoundError) return true;
    throw err;
  }
}

/** Runs the registered handlers in-process until the returned stop() is called. */
async function inProcess(): Promise<{ client: KubeClient; stop: () => Promise<void> }> {
  const client = kubeClient(cluster);
  const abort = new AbortController();
  let ready = false;
  const running = kopf.operator({ client, namespaces: [cluster.namespace], signal: abort.signal, onReady: () => (ready = true), logger: quietLogger() });
  await eventually(() => ready, 'the operator to be ready');
  return {
    client,
    stop: async () => {
      abort.abort();
      await running;
      await client.close();
    },
  };
}

test.serial('a sync daemon that ignores `stopped` is abandoned after backoff + timeout; the object is released', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '--verbose', '-n', cluster.namespace, '-m', fixture], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath } }).start();
  try {
    await op.waitFor(/Watching kopfexamples/);
    await createObject(user, KEX_RESOURCE, kex('stubborn', { field: 'x' }, { labels: { case: 'stubborn' } }), cluster.namespace);
    await op.waitFor(/stubborn starts/);
    const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'stubborn' });
    t.deepEqual(body.metadata.finalizers, [FINALIZER]);
    const deleting = Date.now();
    await deleteObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'stubborn' });
    await eventually(() => gone('stubborn'), 'the object to be gone', 30_000);
    const took = Date.now() - deleting;
    t.true(took >= 900, `held for the backoff and the timeout (${took} ms)`);
    t.regex(op.output, /Daemon 'stubborn_sync' is signalled to exit gracefully\./);
    t.regex(op.output, /Daemon 'stubborn_sync' is signalled to exit by force\./);
    t.regex(op.output, /Daemon 'stubborn_sync' did not exit in time\. Its worker thread is terminated\./);
  } finally {
    t.is(await op.stop(), 0);
  }
});

test.serial('operator exit stops daemons with OPERATOR_EXITING and keeps the finalizer', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '--verbose', '-n', cluster.namespace, '-m', fixture], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath } }).start();
  await op.waitFor(/Watching kopfexamples/);
  await createObject(user, KEX_RESOURCE, kex('polite', { field: 'x' }, { labels: { case: 'polite' } }), cluster.namespace);
  await op.waitFor(/polite starts/);
  t.is(await op.stop(), 0);
  t.regex(op.output, /polite exits: OPERATOR_EXITING/);
  t.notRegex(op.output, /did not exit in time/);
  const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'polite' });
  t.deepEqual(body.metadata.finalizers, [FINALIZER], 'the object stays guarded for the next run');
  await patchObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'polite' }, { metadata: { finalizers: null } }, { type: 'merge' });
});

test.serial('filters that stop matching stop the daemon; matching again respawns it', async (t) => {
  kopf.setDefaultRegistry(new kopf.Registry());
  const events: string[] = [];
  kopf.daemon('kopfexamples', { labels: { run: 'yes' } }, async function watcher({ stopped, name }) {
    events.push(`start ${name}`);
    await stopped.wait();
    events.push(`stop ${stopped.reason}`);
  });
  const op = await inProcess();
  try {
    const ns = cluster.namespace;
    await createObject(user, KEX_RESOURCE, kex('flip', { field: 'x' }, { labels: { run: 'yes' } }), ns);
    await eventually(() => events.includes('start flip'), 'the daemon to start');
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'flip' }, { metadata: { labels: { run: 'no' } } }, { type: 'merge' });
    await eventually(() => events.includes('stop FILTERS_MISMATCH'), 'the daemon to stop');
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'flip' }, { metadata: { labels: { run: 'yes' } } }, { type: 'merge' });
    await eventually(() => events.filter((e) => e === 'start flip').length === 2, 'the daemon to start again');
    await eventually(async () => (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'flip' })).metadata.finalizers?.includes(FINALIZER), 'the finalizer again');
    await deleteObject(user, KEX_RESOURCE, { namespace: ns, name: 'flip' });
    await eventually(() => gone('flip'), 'the object to be gone');
    t.deepEqual(events, ['start flip', 'stop FILTERS_MISMATCH', 'start flip', 'stop RESOURCE_DELETED']);
  } finally {
    await op.stop();
  }
});

test.serial('a daemon that returned is not restarted; its result is written; initialDelay from a function', async (t) => {
  kopf.setDefaultRegistry(new kopf.Registry());
  const calls: number[] = [];
  kopf.daemon('kopfexamples', { labels: { case: 'once' }, initialDelay: ({ spec }: { spec: { delay: number } }) => spec.delay }, async function once_fn() {
    calls.push(Date.now());
    return { done: true };
  });
  const op = await inProcess();
  try {
    const ns = cluster.namespace;
    const created = Date.now();
    await createObject(user, KEX_RESOURCE, kex('once', { field: 'x', delay: 1 }, { labels: { case: 'once' } }), ns);
    const body = await eventually(async () => {
      const b = await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'once' });
      return b.status?.once_fn ? b : null;
    }, 'the result');
    t.deepEqual(body.status!.once_fn, { done: true });
    t.true(calls[0]! - created >= 900, `the initial delay of spec.delay=1 s (${calls[0]! - created} ms)`);
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'once' }, { spec: { field: 'y' } }, { type: 'merge' });
    await eventually(async () => (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'once' })).metadata.finalizers === undefined, 'the finalizer to go: nothing needs it now', 10_000);
    t.is(calls.length, 1, 'not restarted by later events');
    await deleteObject(user, KEX_RESOURCE, { namespace: ns, name: 'once' });
    await eventually(() => gone('once'), 'the object to be gone');
  } finally {
    await op.stop();
  }
});

test.serial('a daemon that fails permanently is not restarted by later events', async (t) => {
  kopf.setDefaultRegistry(new kopf.Registry());
  let calls = 0;
  kopf.on.daemon('kopfexamples', { labels: { case: 'fatal' } }, async function fatal_fn() {
    calls++;
    throw new kopf.PermanentError('no way');
  });
  const op = await inProcess();
  try {
    const ns = cluster.namespace;
    await createObject(user, KEX_RESOURCE, kex('fatal', { field: 'x' }, { labels: { case: 'fatal' } }), ns);
    await eventually(() => calls === 1, 'the daemon to run');
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'fatal' }, { spec: { field: 'y' } }, { type: 'merge' });
    await eventually(async () => (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'fatal' })).metadata.finalizers === undefined, 'the finalizer to go', 10_000);
    t.is(calls, 1);
    await deleteObject(user, KEX_RESOURCE, { namespace: ns, name: 'fatal' });
    await eventually(() => gone('fatal'), 'the object to be gone');
  } finally {
    await op.stop();
  }
});

test.serial('a timer writes its result only when it changes', async (t) => {
  kopf.setDefaultRegistry(new kopf.Registry());
  let ticks = 0;
  let value = 'same';
  kopf.timer('kopfexamples', { labels: { case: 'tick' }, interval: 0.2 }, async function ticker() {
    ticks++;
    return value;
  });
  const op = await inProcess();
  try {
    const ns = cluster.namespace;
    await createObject(user, KEX_RESOURCE, kex('tick', { field: 'x' }, { labels: { case: 'tick' } }), ns);
    await eventually(async () => (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'tick' })).status?.ticker === 'same', 'the first result');
    const writes0 = op.client.stats()['patch kopfexamples/status'] ?? 0;
    const ticks0 = ticks;
    await eventually(() => ticks >= ticks0 + 5, 'five more ticks');
    t.is((op.client.stats()['patch kopfexamples/status'] ?? 0) - writes0, 0, 'an unchanged result is not written again');
    value = 'other';
    await eventually(async () => (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'tick' })).status?.ticker === 'other', 'the changed result');
    const ticks1 = ticks;
    await eventually(() => ticks >= ticks1 + 3, 'three more ticks');
    t.is((op.client.stats()['patch kopfexamples/status'] ?? 0) - writes0, 1, 'one write for one change');
    await deleteObject(user, KEX_RESOURCE, { namespace: ns, name: 'tick' });
    await eventually(() => gone('tick'), 'the object to be gone');
  } finally {
    await op.stop();
  }
});
