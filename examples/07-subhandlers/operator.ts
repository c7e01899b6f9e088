// Example 07: sub-handlers. A create handler declares one sub-handler per item of spec.items; each has the id
// create_fn/<item> and its own progress, retries and result, as in Kopf. create_fn is a plain function, as Kopf's
// `def`: it runs on the worker pool, and its sub-handlers run there after it. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', function create_fn({ spec }) {
  for (const item of (spec.items as string[] | undefined) ?? []) {
    kopf.subhandler({ id: item }, async function create_item_fn({ logger }) {
      logger.info(`=== Handling creation for ${item}. ===`);
    });
  }
});
