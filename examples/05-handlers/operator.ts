// Example 05: every change handler: resume, create, update, delete and a field handler. Plain functions (not
// async) run on the worker pool; async ones in the event loop. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.on.resume('kopfexamples', function resume_fn_1({ logger }) {
  logger.info('RESUMED 1st');
});

kopf.on.create('kopfexamples', function create_fn_1({ logger }) {
  logger.info('CREATED 1st');
});

kopf.on.resume('kopfexamples', async function resume_fn_2({ logger }) {
  logger.info('RESUMED 2nd');
});

kopf.on.create('kopfexamples', async function create_fn_2({ logger }) {
  logger.info('CREATED 2nd');
});

kopf.on.update('kopfexamples', async function update_fn({ diff, logger }) {
  logger.info(`UPDATED: ${JSON.stringify(diff)}`);
});

kopf.on.delete('kopfexamples', async function delete_fn_1({ logger }) {
  logger.info('DELETED 1st');
});

kopf.on.delete('kopfexamples', function delete_fn_2({ logger }) {
  logger.info('DELETED 2nd');
});

kopf.on.field('kopfexamples', { field: 'spec.field' }, async function field_fn({ old, new: value, logger }) {
  logger.info(`FIELD CHANGED: ${JSON.stringify(old)} -> ${JSON.stringify(value)}`);
});
