// Example 01: the smallest operator. One create handler; its result becomes status.create_fn. A plain function,
// as Kopf's `def`: it runs on the worker pool.
// Run it: npx kopf-ts run examples/01-minimal/operator.ts -A   (tested by example.test.ts)
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', function create_fn({ spec }) {
  console.log(`And here we are! Creating: ${JSON.stringify(spec)}`);
  return { message: 'hello world' }; // will be the new status
});
