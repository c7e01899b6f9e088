// Kopf's storage choices against the real control plane: with StatusProgressStorage + StatusDiffBaseStorage
// chosen in a startup handler (as Kopf users do), a retrying handler's progress lands in the chosen status
// field, the diff-base in status, and kopf-ts writes no annotation at all; an update diffs against it.
import test from 'ava';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import * as kopf from '../../src/index.ts';
import { createObject, getObject, patchObject } from '../../src/kube/objects.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('status storages: progress and diff-base in status, annotations untouched', async (t) => {
  const registry = new kopf.Registry();
  kopf.setDefaultRegistry(registry);
  let allowed = false;
  const diffs: unknown[] = [];
  kopf.on.startup(async function configure({ settings }) {
    settings.persistence.progressStorage = new kopf.StatusProgressStorage({ field: 'status.my-op.progress' });
    settings.persistence.diffbaseStorage = new kopf.StatusDiffBaseStorage({
      field: 'status.my-op.diffbase',
      ignoredFields: ['spec.ignored'],
    });
  });
  kopf.on.create('kopfexamples', async function gated() {
    if (!allowed) throw new kopf.TemporaryError('not yet', { delay: 0.2 });
    return { done: true };
  });
  kopf.on.update('kopfexamples', async function updated({ diff }) {
    diffs.push(diff);
  });
  const client = kubeClient(cluster);
  const stop = new AbortController();
  let ready = false;
  const running = kopf.operator({
    client,
    namespaces: [cluster.namespace],
    signal: stop.signal,
    onReady: () => (ready = true),
    logger: quietLogger(),
  });
  const user = kubeClient(cluster);
  const ref = { namespace: cluster.namespace, name: 'in-status' };
  const read = async (): Promise<any> => getObject(user, KEX_RESOURCE, ref);
  try {
    await eventually(() => ready, 'the operator to be ready');
    await createObject(
      user,
      KEX_RESOURCE,
      kex('in-status', { field: 'a', ignored: 1 }, { annotations: { mine: 'yes' } }),
      cluster.namespace,
    );
    const retrying = await eventually(
      async () => (await read()).status?.['my-op']?.progress?.gated,
      'the progress record in status',
    );
    t.is(retrying.purpose, 'create');
    t.is(retrying.message, 'not yet');
    t.false(retrying.success);
    t.true(retrying.retries >= 1);
    t.false('stopped' in retrying, 'null fields are not stored');
    const during = await read();
    t.deepEqual(during.metadata.annotations, { mine: 'yes' }, 'no progress annotations while retrying');

    allowed = true;
    const done = await eventually(async () => {
      const b = await read();
      return b.status?.['my-op']?.diffbase ? b : undefined;
    }, 'the diff-base in status');
    t.deepEqual(done.status.gated, { done: true });
    t.is(
      done.status['my-op'].diffbase,
      '{"spec":{"field":"a"},"metadata":{"annotations":{"mine":"yes"}}}',
      "Kopf's format, without the ignored field",
    );
    t.deepEqual(
      done.status['my-op'].progress ?? {},
      {},
      'the record purged (the emptied container may stay, as with Kopf)',
    );
    t.deepEqual(done.metadata.annotations, { mine: 'yes' }, 'no annotations written at all');

    // A change of an ignored field is no change; a real change diffs against the stored essence.
    await patchObject(user, KEX_RESOURCE, ref, { spec: { ignored: 2 } }, { type: 'merge' });
    await patchObject(user, KEX_RESOURCE, ref, { spec: { field: 'b' } }, { type: 'merge' });
    await eventually(() => diffs.length > 0, 'the update handled');
    await eventually(
      async () => (await read()).status['my-op'].diffbase.includes('"field":"b"'),
      'the new diff-base',
    );
    t.deepEqual(diffs, [[['change', ['spec', 'field'], 'a', 'b']]]);
  } finally {
    stop.abort();
    await running;
    await user.close();
    await client.close();
  }
});
