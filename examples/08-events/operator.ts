// Example 08: raw event handlers see every watch event of the resource, including the initial listing.
// Their errors are logged and ignored (they are never retried). Plain functions, as Kopf's `def`: they run on
// the worker pool. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.on.event('kopfexamples', function event_fn_with_error() {
  throw new Error('Oops!');
});

kopf.on.event('kopfexamples', function normal_event_fn({ event }) {
  console.log(`Event received: ${JSON.stringify(event)}`);
});
