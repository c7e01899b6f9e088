// End-to-end test of examples/08-events: raw events reach event handlers; a failing one is only logged.
import test from 'ava';
import { runExample, OBJ_YAML, literal } from '../../test/helpers/example.ts';

test('event handlers see ADDED and DELETED; errors are logged and ignored', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/08-events/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(/Event received: ADDED kopf-example-1/);
    await ex.runner.waitFor(literal(`'event_fn_with_error' failed with an exception and will ignore it: Oops!`));
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(/Event received: DELETED kopf-example-1/);
  } finally {
    t.is(await ex.close(), 0);
  }
  t.is(ex.runner.count(/'event_fn_with_error' succeeded/), 0);
});
