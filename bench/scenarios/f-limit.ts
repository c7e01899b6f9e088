/**
 * Scenario (f): the bare-client limit alone — the writes of scenarios a and b done by a plain HTTP client as
 * fast as the apiserver allows with `--concurrency` requests in flight (each scenario also measures it next
 * to the operators; this runs only that). Called by bench/run.ts.
 */
import type { Bench } from '../cluster.ts';
import { fmt, printTable } from '../table.ts';
import { bareCreatePhase } from './a-create.ts';
import { bareLifecyclePhase } from './b-lifecycle.ts';
import { auditPerChange, rate } from './common.ts';

export async function scenarioF(bench: Bench, n: number): Promise<void> {
  const a = await bareCreatePhase(bench, n);
  const b = await bareLifecyclePhase(bench, n, 'f');
  printTable({
    title: `(f) the bare-client limit, ${n} objects, concurrency ${bench.options.concurrency}`,
    header: ['workload', 'seconds per step', 'changes per second', 'writes per change (operator side)', 'driver writes'],
    rows: [a, b].map((r, i) => [
      i === 0 ? '(a) create; diff-base + result' : '(b) create, update, delete; finalizer, diff-base, results',
      r.steps.map(([s, t]) => `${s} ${fmt(t, 2)}`).join(', '),
      fmt(rate(r), 1),
      fmt(auditPerChange(r, ['create', 'update', 'patch', 'delete']), 2),
      String(r.driverWrites),
    ]),
  });
}
