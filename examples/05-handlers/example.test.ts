// End-to-end test of examples/05-handlers: create, field, update, resume after a restart, delete.
import test from 'ava';
import { runExample, OBJ_YAML, literal } from '../../test/helpers/example.ts';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, KOPFEXAMPLES } from '../../test/helpers/cluster.ts';
import * as k8s from '@kubernetes/client-node';

test('every kind of change handler runs at its moment, once', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/05-handlers/operator.ts');
  let second: KopfRunner | null = null;
  try {
    const p = ex.prefix();
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${p}Creation is processed: 3 succeeded; 0 failed.`));
    t.regex(ex.runner.output, /CREATED 1st/);
    t.regex(ex.runner.output, /CREATED 2nd/);
    t.regex(ex.runner.output, literal('FIELD CHANGED: null -> "value"'));
    t.notRegex(ex.runner.output, /RESUMED/);
    const created = await ex.get();
    t.deepEqual(created.metadata.finalizers, ['kopf.zalando.org/KopfFinalizerMarker']);

    await ex.cluster.custom.patchNamespacedCustomObject(
      { ...KOPFEXAMPLES, namespace: ex.namespace, name: 'kopf-example-1', body: { spec: { field: 'changed' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await ex.runner.waitFor(literal(`${p}Updating is processed: 2 succeeded; 0 failed.`));
    t.regex(ex.runner.output, literal('UPDATED: [["change",["spec","field"],"value","changed"]]'));
    t.regex(ex.runner.output, literal('FIELD CHANGED: "value" -> "changed"'));

    // A restart resumes the object: resume handlers run, create handlers do not.
    t.is(await ex.runner.stop(), 0);
    second = new KopfRunner(['run', '--standalone', '--verbose', '-n', ex.namespace, ex.runner.args.at(-1)!], {
      env: { ...process.env, KUBECONFIG: ex.cluster.kubeconfigPath },
    }).start();
    await second.waitFor(literal(`${p}Resuming is processed: 2 succeeded; 0 failed.`));
    t.regex(second.output, /RESUMED 1st/);
    t.regex(second.output, /RESUMED 2nd/);
    t.notRegex(second.output, /CREATED/);

    await ex.cluster.custom.deleteNamespacedCustomObject({ ...KOPFEXAMPLES, namespace: ex.namespace, name: 'kopf-example-1' });
    await second.waitFor(literal(`${p}Deletion is processed: 2 succeeded; 0 failed.`));
    await second.waitFor(literal(`${p}Deleted, really deleted, and we are notified.`));
    t.regex(second.output, /DELETED 1st/);
    t.regex(second.output, /DELETED 2nd/);
    await eventually(async () => {
      try {
        await ex.get();
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    }, 'the object to be gone');
  } finally {
    if (second) t.is(await second.stop(), 0);
    await ex.close();
  }
  for (const name of ['create_fn_1', 'create_fn_2', 'update_fn', 'delete_fn_1', 'delete_fn_2']) {
    t.is(ex.runner.count(new RegExp(`'${name}' succeeded`)) + (second?.count(new RegExp(`'${name}' succeeded`)) ?? 0), 1, name);
  }
});
