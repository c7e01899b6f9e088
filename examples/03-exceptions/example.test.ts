// End-to-end test of examples/03-exceptions: permanent and temporary failures, retries and backoff.
import test from 'ava';
import { runExample, OBJ_YAML, literal } from '../../test/helpers/example.ts';

test('each handler succeeds or fails exactly once, and creation is processed', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/03-exceptions/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Creation is processed: 1 succeeded; 3 failed.`), 60_000);
    await ex.deleteAndWaitGone();
  } finally {
    t.is(await ex.close(), 0);
  }
  const out = ex.runner.output;
  t.is(ex.runner.count(/\] Handler 'eventual_success_with_a_few_messages' succeeded/), 1);
  t.is(ex.runner.count(/\] Handler 'eventual_success_with_a_few_messages' failed temporarily: Expected recoverable error/), 3);
  t.is(ex.runner.count(/\] Handler 'instant_failure_with_only_a_message' failed permanently: Fail once and for all\./), 1);
  t.is(ex.runner.count(/\] Handler 'instant_failure_with_traceback' failed with an exception and will stop now: An error that is supposed/), 1);
  t.is(ex.runner.count(/\] Handler 'eventual_failure_with_tracebacks' failed with an exception and will try again in 1 seconds/), 2);
  t.is(ex.runner.count(/\] Handler 'eventual_failure_with_tracebacks' failed with an exception and will stop now \(it would exceed 3 retries on the next attempt\)/), 1);
  t.notRegex(out, /'(instant_failure_with_only_a_message|instant_failure_with_traceback|eventual_failure_with_tracebacks)' succeeded/);
});
