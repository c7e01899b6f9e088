// Example 05: every change handler: resume, create, update, delete and a field handler. Plain functions, as
// Kopf's `def`: they run on the worker pool. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.on.resume('kopfexamples', function resume_fn_1() {
  console.log('RESUMED 1st');
});

kopf.on.create('kopfexamples', function create_fn_1() {
  console.log('CREATED 1st');
});

kopf.on.resume('kopfexamples', function resume_fn_2() {
  console.log('RESUMED 2nd');
});

kopf.on.create('kopfexamples', function create_fn_2() {
  console.log('CREATED 2nd');
});

kopf.on.update('kopfexamples', function update_fn() {
  console.log('UPDATED');
});

kopf.on.delete('kopfexamples', function delete_fn_1() {
  console.log('DELETED 1st');
});

kopf.on.delete('kopfexamples', function delete_fn_2() {
  console.log('DELETED 2nd');
});

kopf.on.field('kopfexamples', { field: 'spec.field' }, function field_fn({ old, new: value }) {
  console.log(`FIELD CHANGED: ${JSON.stringify(old)} -> ${JSON.stringify(value)}`);
});
