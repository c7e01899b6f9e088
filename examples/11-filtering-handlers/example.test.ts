// End-to-end test of examples/11-filtering-handlers: exactly the handlers whose filters match run (plain
// functions on the pool), as Kopf's test_example_11 checks; plus the checks of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { KOPFEXAMPLES } from '../../test/helpers/cluster.ts';
import * as k8s from '@kubernetes/client-node';

test('filters select handlers by labels, annotations, fields and callbacks', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/11-filtering-handlers/operator.ts');
  const p = ex.prefix();
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${p}Creation is processed: 10 succeeded; 0 failed.`));
    await ex.runner.waitFor(literal(`${p}Field daemon is satisfied.`));
    await ex.cluster.custom.patchNamespacedCustomObject(
      {
        ...KOPFEXAMPLES,
        namespace: ex.namespace,
        name: 'kopf-example-1',
        body: { spec: { field: 'changed' } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await ex.runner.waitFor(literal(`${p}Field change is satisfied.`));
    // The daemon's filter no longer matches: it is stopped (and exits: it checks `stopped`).
    await ex.runner.waitFor(literal(`${p}Daemon 'daemon_with_field/spec.field' succeeded.`));
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${p}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  const out = ex.runner.output;
  for (const line of [
    'Label is matching.',
    'Label is present.',
    'Label is absent.',
    'Label callback matching.',
    'Annotation is matching.',
    'Annotation is present.',
    'Annotation is absent.',
    'Filter satisfied.',
    'Field value is satisfied.',
    'Field presence is satisfied.',
    'Field change is satisfied.',
    'Field daemon is satisfied.',
  ]) {
    t.true(out.includes(`${p}${line}`), line);
  }
  for (const line of [
    'Annotation callback mismatch.',
    'Filter not satisfied.',
    'Field value is not satisfied.',
    'Field presence is not satisfied.',
  ]) {
    t.false(out.includes(line), line);
  }
  checkKopfE2e(t, out, p, { creation: true, deleted: true });
});
