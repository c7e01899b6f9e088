/**
 * Side-by-side benchmarks of kopf-ts and the real Kopf (issue 7): `npm run bench -- <scenario>… [options]`.
 * Starts a local control plane (with an audit log) or uses --kubeconfig, installs the KopfExample CRD, runs
 * each scenario for kopf-ts, Kopf (pip-installed into ~/.cache/kopf-ts/bench/venv) and a bare HTTP client,
 * one after another against the same apiserver, and prints a Markdown table per scenario. Not a test.
 *
 * Scenarios: a (creations), b (create/update/delete), c (idle objects: memory and resuming), d (latency under
 * churn), e (API requests by verb per change), f (the bare-client limit alone), all (a–e).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Bench, type BenchOptions } from './cluster.ts';
import { killAll, type Impl } from './processes.ts';
import { scenarioA } from './scenarios/a-create.ts';
import { scenarioB } from './scenarios/b-lifecycle.ts';
import { scenarioC } from './scenarios/c-idle.ts';
import { scenarioD } from './scenarios/d-latency.ts';
import { scenarioE } from './scenarios/e-requests.ts';
import { scenarioF } from './scenarios/f-limit.ts';
import { scenarioG } from './scenarios/g-churn.ts';

const USAGE = `usage: npm run bench -- <a|b|c|d|e|f|g|all>… [options]
  --n N              objects (default: a, b, e 200; c 2000; d 50 objects churned; g 1000 per round)
  --rounds R         (g) rounds of create, update, delete (default 10)
  --concurrency C    requests in flight of the driver (creates, updates, deletes) (default 32)
  --bare-concurrency B  writes in flight of the bare client (default: C)
  --kubeconfig PATH  use this cluster instead of starting a control plane (no audit log then)
  --ts-qps Q         kopf-ts's settings.networking.qps (burst 2×Q); default: kopf-ts's own default
  --ts-settings J    JSON merged into kopf-ts's settings, e.g. '{"networking":{"http2":true}}'
  --only IMPL        run only kopf-ts or only Kopf (the bare client always runs)
  --churn-rate R     (d) updates per second (default 20); --churn-seconds S (default 15)
  --timeout S        seconds to wait for one step (default 600)
  --echo             print the operators' output`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    'bare-concurrency': { type: 'string' },
    kubeconfig: { type: 'string' },
    'ts-qps': { type: 'string' },
    'ts-settings': { type: 'string' },
    only: { type: 'string' },
    'churn-rate': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '10' },
    'churn-seconds': { type: 'string', default: '15' },
    timeout: { type: 'string', default: '600' },
    echo: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const wanted = positionals.flatMap((p) => (p === 'all' ? ['a', 'b', 'c', 'd', 'e'] : [p]));
if (values.help || wanted.length === 0 || wanted.some((s) => !'abcdefg'.includes(s) || s.length !== 1)) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const only = values.only as Impl | undefined;
if (only && only !== 'kopf-ts' && only !== 'Kopf') throw new Error('--only is kopf-ts or Kopf');

const options: BenchOptions = {
  concurrency: Number(values.concurrency),
  bareConcurrency: Number(values['bare-concurrency'] ?? values.concurrency),
  echo: values.echo,
  impls: only ? [only] : ['kopf-ts', 'Kopf'],
  timeoutMs: Number(values.timeout) * 1000,
  ...(values.n ? { n: Number(values.n) } : {}),
  ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
  ...(values['ts-qps'] ? { tsQps: Number(values['ts-qps']) } : {}),
  ...(values['ts-settings'] ? { tsSettings: JSON.stringify(JSON.parse(values['ts-settings'])) } : {}),
};

const started = new Date();
const bench = await Bench.start(options);
const stopOnSignal = (): void => {
  killAll();
  void bench.stop().finally(() => process.exit(130));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
try {
  console.log(`# kopf-ts vs Kopf — npm run bench -- ${process.argv.slice(2).join(' ')}\n`);
  console.log(`date: ${started.toISOString()}\n${bench.describe()}`);
  console.log(`kopf-ts networking.qps: ${options.tsQps ?? 'default (0: no client-side limit)'}; other kopf-ts settings: ${options.tsSettings ?? 'defaults'}; driver concurrency: ${options.concurrency}; bare-client concurrency: ${options.bareConcurrency}`);
  for (const scenario of wanted) {
    const t0 = performance.now();
    switch (scenario) {
      case 'a':
        await scenarioA(bench, options.n ?? 200);
        break;
      case 'b':
        await scenarioB(bench, options.n ?? 200);
        break;
      case 'c':
        await scenarioC(bench, options.n ?? 2000);
        break;
      case 'd':
        await scenarioD(bench, options.n ?? 50, Number(values['churn-rate']), Number(values['churn-seconds']));
        break;
      case 'e':
        await scenarioE(bench, options.n ?? 200);
        break;
      case 'f':
        await scenarioF(bench, options.n ?? 200);
        break;
      case 'g':
        await scenarioG(bench, options.n ?? 1000, Number(values.rounds));
        break;
    }
    console.log(`\n(${scenario}) took ${((performance.now() - t0) / 1000).toFixed(0)} s; load average now: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  }
} finally {
  await bench.stop();
}
