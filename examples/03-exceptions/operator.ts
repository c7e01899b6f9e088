// Example 03: how handlers fail. A PermanentError fails at once; a TemporaryError is retried after its delay;
// an arbitrary exception is retried after `backoff` (errors: 'temporary', the default) until `retries` run
// out, or fails at once with errors: kopf.ErrorsMode.PERMANENT. Plain functions, as Kopf's `def`: they run on
// the worker pool, and their errors come back with their class. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

class MyException extends Error {}

kopf.on.create('kopfexamples', function instant_failure_with_only_a_message() {
  throw new kopf.PermanentError('Fail once and for all.');
});

kopf.on.create('kopfexamples', function eventual_success_with_a_few_messages({ retry }) {
  if (retry < 3) {
    // 0, 1, 2, 3
    throw new kopf.TemporaryError('Expected recoverable error.', { delay: 1 });
  }
});

kopf.on.create('kopfexamples', { retries: 3, backoff: 1 }, function eventual_failure_with_tracebacks() {
  throw new MyException('An error that is supposed to be recoverable.');
});

kopf.on.create(
  'kopfexamples',
  { errors: kopf.ErrorsMode.PERMANENT, backoff: 1 },
  function instant_failure_with_traceback() {
    throw new MyException('An error that is supposed to be recoverable.');
  },
);
