// The operator: handlers for KopfExample objects (crd.yaml). `npm start` runs it against a local control
// plane; `npm test` runs test/operator.test.ts. Each handler's return value is stored in status.<its name>.
import { threadId } from 'node:worker_threads';
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', async function create_fn({ spec, name, logger }) {
  logger.info(`And here we are! Created ${name} with spec: ${JSON.stringify(spec)}`);
  return { message: 'hello world' }; // stored as status.create_fn
});

// A plain (not async) function is a sync handler: it runs on a worker thread of kopf-ts's pool, so blocking
// work in it never stalls the operator. (An `async function` runs in the operator's event loop.)
kopf.on.update('kopfexamples', { field: 'spec.field' }, function field_fn({ old, new: value, logger }) {
  logger.info(
    `spec.field changed from ${JSON.stringify(old)} to ${JSON.stringify(value)} (on worker thread ${threadId})`,
  );
  return { field: value, threadId }; // stored as status['field_fn/spec.field']: the field is part of its id
});

// With a delete handler, kopf-ts puts its finalizer on each object: deleting one waits until this is done.
kopf.on.delete('kopfexamples', async function delete_fn({ name, logger }) {
  logger.info(`Deleted ${name}: cleaning up after it`);
});
