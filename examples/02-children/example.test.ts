// End-to-end test of examples/02-children: the child Pod exists, is adopted (without an explicit owner, from a
// plain function on the pool), and its uid is in the status; with the checks of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('a child pod is created with an owner reference and reported in status', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/02-children/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Handler 'create_fn' succeeded.`));
    const parent = await eventually(async () => {
      const o = await ex.get();
      return o.status?.create_fn?.children ? o : null;
    }, 'status.create_fn.children');
    const pods = await ex.cluster.core.listNamespacedPod({ namespace: ex.namespace });
    t.is(pods.items.length, 1);
    const pod = pods.items[0]!;
    t.deepEqual(parent.status.create_fn.children, [pod.metadata!.uid]);
    t.true(pod.metadata!.name!.startsWith('kopf-example-1-'));
    t.is(pod.metadata!.namespace, ex.namespace);
    t.is(pod.metadata!.labels!.somelabel, 'somevalue');
    const owner = pod.metadata!.ownerReferences![0]!;
    t.like(owner, {
      apiVersion: 'kopf.dev/v1',
      kind: 'KopfExample',
      name: 'kopf-example-1',
      uid: parent.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    t.is(pod.spec!.containers[0]!.env![0]!.value, 'value');
    t.is(pod.spec!.containers[0]!.args![0], 'echo "FIELD=$FIELD"\nsleep 1m\n');
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${ex.prefix()}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  checkKopfE2e(t, ex.runner.output, ex.prefix(), { creation: true, deleted: true });
});
