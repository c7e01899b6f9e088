// Example 15: timers. Each runs every few seconds, but only once the object has not changed for `idle`
// seconds. A plain function runs on the worker pool; an async one in the event loop. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.timer('kopfexamples', { idle: 5, interval: 2 }, function every_few_seconds_sync({ spec, logger }) {
  logger.info(`Ping from a sync timer: field=${JSON.stringify(spec.field)}`);
});

kopf.timer('kopfexamples', { idle: 10, interval: 4 }, async function every_few_seconds_async({ spec, logger }) {
  logger.info(`Ping from an async timer: field=${JSON.stringify(spec.field)}`);
});
