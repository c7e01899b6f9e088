// Scenario (a) of bench/run.ts, the kopf-ts side: one create handler returning a result (status.create_fn).
// Equivalent to bench/kopf/create.py. Started by bench/processes.ts with `kopf-ts run --standalone -n NS`.
import * as kopf from 'kopf-ts';
import './common.ts';

kopf.on.create('kopfexamples', async function create_fn() {
  return { message: 'hello' };
});
