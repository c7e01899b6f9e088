// Scenario (b) of bench/run.ts, the kopf-ts side: create, update and delete handlers; create and update return
// results (status.create_fn, status.update_fn). Equivalent to bench/kopf/lifecycle.py.
import * as kopf from 'kopf-ts';
import './common.ts';

kopf.on.create('kopfexamples', async function create_fn() {
  return { message: 'created' };
});

kopf.on.update('kopfexamples', async function update_fn({ spec }) {
  return { round: (spec as { round?: number }).round ?? null };
});

kopf.on.delete('kopfexamples', async function delete_fn() {
  return null;
});
