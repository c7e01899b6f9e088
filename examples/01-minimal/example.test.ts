// End-to-end test of examples/01-minimal against the real control plane.
import test from 'ava';
import { runExample, OBJ_YAML, literal } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('the create handler runs once and its result lands in status', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/01-minimal/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Handler 'create_fn' succeeded.`));
    await ex.runner.waitFor(literal(`${ex.prefix()}Creation is processed: 1 succeeded; 0 failed.`));
    t.regex(ex.runner.output, /And here we are! Created kopf-example-1 with spec: \{"duration":"1m","field":"value"/);
    const obj = await eventually(async () => {
      const o = await ex.get();
      return o.status?.create_fn ? o : null;
    }, 'status.create_fn');
    t.deepEqual(obj.status.create_fn, { message: 'hello world' });
    t.truthy(obj.metadata.annotations['kopf.zalando.org/last-handled-configuration']);
    t.falsy(obj.metadata.finalizers?.length, 'no delete handlers → no finalizer');
    await ex.deleteAndWaitGone();
  } finally {
    t.is(await ex.close(), 0);
  }
  t.is(ex.runner.count(/'create_fn' succeeded/), 1);
  t.notRegex(ex.runner.output, /Traceback|Unhandled|uncaught/i);
});
