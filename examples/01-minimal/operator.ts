// Example 01: the smallest operator. One create handler; its result becomes status.create_fn.
// Run it: npx kopf-ts run examples/01-minimal/operator.ts -A   (tested by example.test.ts)
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', async function create_fn({ spec, name, logger }) {
  logger.info(`And here we are! Created ${name} with spec: ${JSON.stringify(spec)}`);
  return { message: 'hello world' }; // will be the new status.create_fn
});
