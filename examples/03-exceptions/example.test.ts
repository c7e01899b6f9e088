// End-to-end test of examples/03-exceptions: permanent and temporary failures, retries and backoff, from plain
// functions on the pool; with the checks (and the E2E_* marks) of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';

test('each handler succeeds or fails exactly once, and creation is processed', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/03-exceptions/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Creation is processed: 1 succeeded; 3 failed.`), 60_000);
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${ex.prefix()}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  const out = ex.runner.output;
  t.is(
    ex.runner.count(
      /\] Handler 'eventual_success_with_a_few_messages' failed temporarily: Expected recoverable error/,
    ),
    3,
  );
  t.is(
    ex.runner.count(
      /\] Handler 'instant_failure_with_only_a_message' failed permanently: Fail once and for all\./,
    ),
    1,
  );
  t.is(
    ex.runner.count(
      /\] Handler 'instant_failure_with_traceback' failed with an exception and will stop now: An error that is supposed/,
    ),
    1,
  );
  t.is(
    ex.runner.count(
      /\] Handler 'eventual_failure_with_tracebacks' failed with an exception and will try again in 1 seconds/,
    ),
    2,
  );
  t.is(
    ex.runner.count(
      /\] Handler 'eventual_failure_with_tracebacks' failed with an exception and will stop now \(it would exceed 3 retries on the next attempt\)/,
    ),
    1,
  );
  t.notRegex(
    out,
    /'(instant_failure_with_only_a_message|instant_failure_with_traceback|eventual_failure_with_tracebacks)' succeeded/,
  );
  checkKopfE2e(t, out, ex.prefix(), {
    creation: true,
    deleted: true,
    allowStacks: true,
    successes: { eventual_success_with_a_few_messages: 1 },
    failures: {
      eventual_failure_with_tracebacks: 1,
      instant_failure_with_traceback: 1,
      instant_failure_with_only_a_message: 1,
    },
  });
});
