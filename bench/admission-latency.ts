/**
 * Benchmark (prints figures; not a test): the latency an admission webhook adds to API writes. Against a real
 * local control plane, N sequential server-side dry-run creates of a KopfExample, each timed end to end, first
 * with no webhook, then with kopf-ts serving one validating handler (bench/kopf-ts/admission.ts, run as
 * `kopf-ts run` would; async, then a plain function on the worker pool). Two clients: the real
 * `kubectl create --dry-run=server` (a process per call, as the issue asks) and a raw HTTPS POST with
 * `?dryRun=All` (what the webhook itself adds shows better there). Prints p50/p90/p99/max in ms.
 * Run: node --import tsx bench/admission-latency.ts [--n 500]
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../src/testing.ts';
import { rawRequest, testCluster } from '../test/helpers/cluster.ts';
import { kexYaml, kubectl } from '../test/helpers/kubectl.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const n = arg('n', 500);
const OPERATOR = fileURLToPath(new URL('./kopf-ts/admission.ts', import.meta.url));

const cluster = await testCluster('bench-admission');
const ns = cluster.namespace;
const managed = `${ns}.bench.kopf.dev`;

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return [0.5, 0.9, 0.99].map((q) => at(q).toFixed(1)).join(' / ') + ` / ${sorted.at(-1)!.toFixed(1)}`;
}

async function viaKubectl(label: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const r = await kubectl(
      cluster.kubeconfigPath,
      ['create', '-n', ns, '--dry-run=server', '-o', 'name', '-f', '-'],
      kexYaml(`${label}-${i}`, 'ok'),
    );
    times.push(performance.now() - started);
    if (r.code !== 0) throw new Error(`kubectl failed: ${r.stderr}`);
  }
  return times;
}

async function viaRaw(label: string): Promise<number[]> {
  const times: number[] = [];
  const path = `/apis/kopf.dev/v1/namespaces/${ns}/kopfexamples?dryRun=All`;
  for (let i = 0; i < n; i++) {
    const body = {
      apiVersion: 'kopf.dev/v1',
      kind: 'KopfExample',
      metadata: { name: `${label}-raw-${i}` },
      spec: { field: 'ok' },
    };
    const started = performance.now();
    const r = await rawRequest(cluster.kc, 'POST', path, body);
    times.push(performance.now() - started);
    if (r.status !== 201) throw new Error(`POST failed: ${r.status} ${JSON.stringify(r.json)}`);
  }
  return times;
}

async function measure(label: string): Promise<void> {
  const slug = label.replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '');
  await viaRaw(`${slug}-warm`); // connections, caches
  const raw = await viaRaw(slug);
  const cli = await viaKubectl(slug);
  console.log(`| ${label} | kubectl create --dry-run=server | ${percentiles(cli)} |`);
  console.log(`| ${label} | raw POST ?dryRun=All | ${percentiles(raw)} |`);
  console.log(`<!-- load average after ${label}: ${loadavg().map((l) => l.toFixed(1)).join(' ')} -->`);
}

async function withOperator(label: string, plain: boolean): Promise<void> {
  const runner = new KopfRunner(['run', '--standalone', '-q', '-n', ns, OPERATOR], {
    env: {
      ...process.env,
      // The repository's sources, as the tests run them (no build needed).
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=kopf-ts-source`.trim(),
      KUBECONFIG: cluster.kubeconfigPath,
      BENCH_ADMISSION_MANAGED: managed,
      BENCH_ADMISSION_PLAIN: plain ? '1' : '0',
    },
  }).start();
  try {
    // Ready when the API server calls the webhook: a forbidden object is refused.
    for (let i = 0; ; i++) {
      const r = await kubectl(
        cluster.kubeconfigPath,
        ['create', '-n', ns, '--dry-run=server', '-f', '-'],
        kexYaml('probe', 'forbidden'),
      );
      if (r.code !== 0 && r.stderr.includes('denied the request')) break;
      if (i > 600 || (runner.exitCode !== undefined && runner.exitCode !== null))
        throw new Error(`the webhook never answered:\n${runner.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await measure(label);
  } finally {
    await runner.stop();
    await kubectl(cluster.kubeconfigPath, [
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      managed,
      '--ignore-not-found',
    ]);
  }
}

console.log(`${n} sequential dry-run creates each; latency in ms, p50 / p90 / p99 / max\n`);
console.log('| webhook | client | p50 / p90 / p99 / max (ms) |');
console.log('|---|---|---|');
try {
  await measure('none');
  await withOperator('async validator', false);
  await withOperator('plain validator (pool)', true);
} finally {
  await cluster.close();
}
