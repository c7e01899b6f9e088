// End-to-end test of examples/05-handlers: create, field, update, resume after a restart, delete, all from plain
// functions on the pool; with the checks of Kopf's e2e test over both runs' output.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
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
    await ex.runner.waitFor('CREATED 1st');
    await ex.runner.waitFor('CREATED 2nd');
    await ex.runner.waitFor(literal('FIELD CHANGED: null -> "value"'));
    t.notRegex(ex.runner.output, /RESUMED/);
    const created = await ex.get();
    t.deepEqual(created.metadata.finalizers, ['kopf.zalando.org/KopfFinalizerMarker']);

    await ex.cluster.custom.patchNamespacedCustomObject(
      {
        ...KOPFEXAMPLES,
        namespace: ex.namespace,
        name: 'kopf-example-1',
        body: { spec: { field: 'changed' } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await ex.runner.waitFor(literal(`${p}Updating is processed: 2 succeeded; 0 failed.`));
    await ex.runner.waitFor(/^UPDATED$/m);
    await ex.runner.waitFor(literal('FIELD CHANGED: "value" -> "changed"'));

    // A restart resumes the object: resume handlers run, create handlers do not.
    t.is(await ex.runner.stop(), 0);
    second = new KopfRunner(
      ['run', '--standalone', '--verbose', '-n', ex.namespace, ex.runner.args.at(-1)!],
      {
        env: { ...process.env, KUBECONFIG: ex.cluster.kubeconfigPath },
      },
    ).start();
    await second.waitFor(literal(`${p}Resuming is processed: 2 succeeded; 0 failed.`));
    await second.waitFor('RESUMED 1st');
    await second.waitFor('RESUMED 2nd');
    t.notRegex(second.output, /CREATED/);

    await ex.cluster.custom.deleteNamespacedCustomObject({
      ...KOPFEXAMPLES,
      namespace: ex.namespace,
      name: 'kopf-example-1',
    });
    await second.waitFor(literal(`${p}Deletion is processed: 2 succeeded; 0 failed.`));
    await second.waitFor(literal(`${p}Deleted, really deleted, and we are notified.`));
    await second.waitFor('DELETED 1st');
    await second.waitFor('DELETED 2nd');
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
  // Each handler once; the field handler twice (on creation and on the update), as its own cause each time.
  checkKopfE2e(t, ex.runner.output + (second?.output ?? ''), ex.prefix(), {
    creation: true,
    finalizer: true,
    deleted: true,
    successes: {
      ...Object.fromEntries(
        [
          'create_fn_1',
          'create_fn_2',
          'update_fn',
          'resume_fn_1',
          'resume_fn_2',
          'delete_fn_1',
          'delete_fn_2',
        ].map((n) => [n, 1]),
      ),
      'field_fn/spec.field': 2,
    },
  });
});
