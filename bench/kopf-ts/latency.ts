// Scenario (d) of bench/run.ts, the kopf-ts side: an update handler that prints how long ago the change was
// made (`BENCH-LAT <ms>`, from spec.stamp, the driver's wall clock in ms). Equivalent to bench/kopf/latency.py.
import * as kopf from 'kopf-ts';
import './common.ts';

kopf.on.create('kopfexamples', async function create_fn() {
  return null;
});

kopf.on.update('kopfexamples', async function update_fn({ spec }) {
  const stamp = (spec as { stamp?: number }).stamp;
  if (typeof stamp === 'number') console.log(`BENCH-LAT ${Date.now() - stamp}`);
  return null;
});
