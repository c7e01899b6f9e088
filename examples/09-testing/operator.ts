// Example 09: an operator tested with KopfRunner (kopf-ts/testing), as Kopf's examples/09-testing. The handler is
// a plain function (Kopf's `def`), so it runs on the worker pool. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', function create_fn({ logger }: { logger: kopf.Logger }) {
  logger.info('Something was logged here.');
});
