// Kopf's transformation functions (`patch.fns`) against the real control plane, with `kopf-ts run`: list
// changes that a merge patch cannot express (a finalizer appended next to another controller's, an item
// appended to a spec list, a status list) land on the object, guarded by the resourceVersion, after the merge
// patch of the same handler; and a plain handler on the pool that uses them gets a clear error.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, KOPFEXAMPLES, testCluster, type TestCluster } from '../helpers/cluster.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/fns/operator.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('patch.fns: list changes land after the merge patch; a plain handler is told they cannot cross', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, OPERATOR], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  const get = async (name: string): Promise<any> =>
    await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace: cluster.namespace, name });
  try {
    await op.waitFor(/Watching kopfexamples/, 60_000);
    await cluster.apply(
      '{"apiVersion": "kopf.dev/v1", "kind": "KopfExample", "metadata": {"name": "fns", "labels": {"case": "fns"}, "finalizers": ["other.example.com/theirs"]}, "spec": {"items": ["given"]}}',
    );
    const obj = await eventually(async () => {
      const o = await get('fns');
      return o.status?.history ? o : null;
    }, `the transformed object; output:\n${op.output}`);
    t.deepEqual(obj.metadata.finalizers, ['other.example.com/theirs', 'example.com/mine']);
    t.deepEqual(obj.spec.items, ['given', 'added-by-fn']);
    t.deepEqual(obj.status.history, ['created']);
    t.is(obj.status.merged, true);

    await cluster.apply(
      '{"apiVersion": "kopf.dev/v1", "kind": "KopfExample", "metadata": {"name": "plain", "labels": {"case": "plain-fns"}}, "spec": {}}',
    );
    await op.waitFor(
      /'patch\.fns' is not available to the sync handler 'plain_fns': it runs on the worker pool/,
      30_000,
    );
    t.falsy((await get('plain')).metadata.finalizers?.includes('example.com/mine'));
    // The object is released: remove the other controller's finalizer, as that controller would.
    await cluster.custom.patchNamespacedCustomObject(
      {
        ...KOPFEXAMPLES,
        namespace: cluster.namespace,
        name: 'fns',
        body: [{ op: 'remove', path: '/metadata/finalizers' }],
      },
      await jsonPatchOptions(),
    );
  } finally {
    t.is(await op.stop(), 0);
  }
});

async function jsonPatchOptions(): Promise<any> {
  const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
  return setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
}
