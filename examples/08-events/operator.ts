// Example 08: raw event handlers see every watch event of the resource, including the initial listing.
// Their errors are logged and ignored (they are never retried). Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.on.event('kopfexamples', async function event_fn_with_error() {
  throw new Error('Oops!');
});

kopf.on.event('kopfexamples', async function normal_event_fn({ event, logger }) {
  logger.info(`Event received: ${event.type} ${event.object.metadata.name}`);
});
