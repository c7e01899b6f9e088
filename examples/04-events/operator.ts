// Example 04: post Kubernetes Events about the handled object with kopf.event/info/warn/exception, from a plain
// function as Kopf's `def` (it runs on the worker pool; the Events go back with its reply).
// Tested by example.test.ts, which reads the Events back from the API.
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', function create_fn({ body }) {
  // The all-purpose function for the event creation.
  kopf.event(body, { type: 'SomeType', reason: 'SomeReason', message: 'Some message' });

  // The shortcuts for the conventional events and common cases.
  kopf.info(body, { reason: 'SomeReason', message: 'Some message' });
  kopf.warn(body, { reason: 'SomeReason', message: 'Some message' });

  try {
    throw new Error('Exception text.');
  } catch (exc) {
    kopf.exception(body, { reason: 'SomeReason', message: 'Some exception:', exc });
  }
});
