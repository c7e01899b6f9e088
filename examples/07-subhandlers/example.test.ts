// End-to-end test of examples/07-subhandlers: one sub-handler per item, with parent/child ids, run in the plain
// parent's worker; with the checks of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('a sub-handler runs once for each item, then the parent is done', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/07-subhandlers/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Creation is processed: 1 succeeded; 0 failed.`));
    t.is(ex.runner.count(/=== Handling creation for item1\. ===/), 1);
    t.is(ex.runner.count(/=== Handling creation for item2\. ===/), 1);
    // "processed" is logged before the final write: poll until the progress is purged.
    const obj = await eventually(async () => {
      const o = await ex.get();
      return o.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'] ? o : null;
    }, 'the final write');
    t.falsy(
      Object.keys(obj.metadata.annotations).find((k: string) => k.startsWith('kopf.zalando.org/create_fn')),
      'progress is purged',
    );
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${ex.prefix()}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  checkKopfE2e(t, ex.runner.output, ex.prefix(), {
    creation: true,
    deleted: true,
    successes: { create_fn: 1, 'create_fn/item1': 1, 'create_fn/item2': 1 },
  });
});
