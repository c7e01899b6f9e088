// End-to-end test of examples/11-filtering-handlers: exactly the handlers whose filters match run.
import test from 'ava';
import { runExample, OBJ_YAML, literal } from '../../test/helpers/example.ts';
import { KOPFEXAMPLES } from '../../test/helpers/cluster.ts';
import * as k8s from '@kubernetes/client-node';

test('filters select handlers by labels, annotations, fields and callbacks', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/11-filtering-handlers/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Creation is processed: 10 succeeded; 0 failed.`));
    for (const line of [
      'Label is matching.', 'Label is present.', 'Label is absent.', 'Label callback matching.',
      'Annotation is matching.', 'Annotation is present.', 'Annotation is absent.',
      'Filter satisfied.', 'Field value is satisfied.', 'Field presence is satisfied.',
    ]) {
      t.regex(ex.runner.output, literal(line), line);
    }
    for (const line of ['Annotation callback mismatch.', 'Filter not satisfied.', 'Field value is not satisfied.', 'Field presence is not satisfied.']) {
      t.notRegex(ex.runner.output, literal(line), line);
    }
    await ex.cluster.custom.patchNamespacedCustomObject(
      { ...KOPFEXAMPLES, namespace: ex.namespace, name: 'kopf-example-1', body: { spec: { field: 'changed' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await ex.runner.waitFor('Field change is satisfied.');
    await ex.deleteAndWaitGone();
  } finally {
    t.is(await ex.close(), 0);
  }
});
