// Scenario (c) of bench/run.ts, the kopf-ts side: a create handler returning nothing (it marks the warm-up
// object handled) and a resume handler that counts the objects resumed and prints `BENCH-RESUMED <n>` once
// BENCH_EXPECT of them were. Equivalent to bench/kopf/idle.py.
import * as kopf from 'kopf-ts';
import './common.ts';

const expect = Number(process.env.BENCH_EXPECT ?? 0);
let resumed = 0;

kopf.on.create('kopfexamples', async function create_fn() {
  return null;
});

kopf.on.resume('kopfexamples', async function resume_fn() {
  resumed += 1;
  if (resumed === expect) console.log(`BENCH-RESUMED ${resumed}`);
  return null;
});
