// End-to-end test of examples/08-events: raw events reach event handlers (plain functions on the pool); a failing
// one is only logged; with the checks (and the E2E_* marks) of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('event handlers see ADDED and DELETED; errors are logged and ignored', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/08-events/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(/Event received: \{"type":"ADDED","object":\{.*"name":"kopf-example-1"/);
    await ex.runner.waitFor(
      literal(`'event_fn_with_error' failed with an exception and will ignore it: Oops!`),
    );
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(/Event received: \{"type":"DELETED","object":\{.*"name":"kopf-example-1"/);
    // The printed event and the success line come back from the worker by different ports: count, do not order.
    await eventually(
      () => ex.runner.count(/'normal_event_fn' succeeded/) >= 2,
      'two successes of normal_event_fn',
    );
  } finally {
    t.is(await ex.close(), 0);
  }
  t.is(ex.runner.count(/'event_fn_with_error' failed with an exception and will ignore it/), 2);
  t.notRegex(ex.runner.output, /Adding the finalizer/, 'event handlers need no finalizer');
  checkKopfE2e(t, ex.runner.output, ex.prefix(), { allowStacks: true, successes: { normal_event_fn: 2 } });
});
