// End-to-end test of examples/01-minimal against the real control plane, with the checks of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('the create handler runs once on the pool and its result lands in status', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/01-minimal/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Handler 'create_fn' succeeded.`));
    await ex.runner.waitFor(literal(`${ex.prefix()}Creation is processed: 1 succeeded; 0 failed.`));
    await ex.runner.waitFor(
      /And here we are! Creating: \{"duration":"1m","field":"value","items":\["item1","item2"\]\}/,
    );
    const obj = await eventually(async () => {
      const o = await ex.get();
      return o.status?.create_fn && o.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'] ? o : null; // the results, then the diff-base
    }, 'status.create_fn');
    t.deepEqual(obj.status.create_fn, { message: 'hello world' });
    t.truthy(obj.metadata.annotations['kopf.zalando.org/last-handled-configuration']);
    t.falsy(obj.metadata.finalizers?.length, 'no delete handlers → no finalizer');
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${ex.prefix()}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  checkKopfE2e(t, ex.runner.output, ex.prefix(), { creation: true, deleted: true });
  t.notRegex(ex.runner.output, /Adding the finalizer/);
});
