/**
 * Benchmark (prints figures; not a test): what scale-out costs and how fast it recovers. Three replicas of
 * `--shards 12` with the default Lease timings (duration 15 s, renew deadline 10 s, retry period 2 s) on a real
 * local control plane: one replica runs in this process (its client counts its requests), two as `kopf-ts run`
 * processes. Measures the Lease requests per minute of one replica in steady state, then SIGKILLs a replica,
 * changes every object at once, and measures how long until the survivors hold its shards and until its objects'
 * changes are handled.
 * Run: npx node --import tsx bench/sharding.ts [--objects 120] [--seconds 60]
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as kopf from '../src/index.ts';
import { createObject, patchObject } from '../src/kube/objects.ts';
import { createRootLogger } from '../src/observe/log.ts';
import { KopfRunner } from '../src/testing.ts';
import { eventually, testCluster } from '../test/helpers/cluster.ts';
import { kex, KEX_RESOURCE, kubeClient } from '../test/helpers/kube.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const objects = arg('objects', 120);
const seconds = arg('seconds', 60);
const SHARDS = 12;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/peering/sharded.ts', import.meta.url));

const cluster = await testCluster('bench-sharding');
const ns = cluster.namespace;
const user = kubeClient(cluster, { qps: 1000, burst: 1000 });
const client = kubeClient(cluster);
const file = join(tmpdir(), `kopf-ts-bench-sharding-${process.pid}.log`);
writeFileSync(file, '');
process.env.SHARD_LOG = file;

// The in-process replica: the fixture's handlers, its log lines kept to read its shards.
kopf.setDefaultRegistry(new kopf.Registry());
const record = (cause: string, name: string | undefined, n: unknown): void =>
  appendFileSync(file, `${process.pid} ${cause} ${name} ${String(n)}\n`);
kopf.on.create('kopfexamples', async function created({ name, spec }) {
  record('create', name, (spec as { n?: number }).n);
});
kopf.on.update('kopfexamples', async function updated({ name, spec }) {
  record('update', name, (spec as { n?: number }).n);
});
const lines: string[] = [];
const logger = createRootLogger({
  format: 'json',
  level: 'info',
  destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }),
});
const holdingHere = (): number => {
  const all = lines.flatMap((l) => [...l.matchAll(/Sharding: holding (\d+) of 12/g)]);
  return all.length ? Number(all.at(-1)![1]) : -1;
};
const holding = (runner: KopfRunner): number => {
  const all = [...runner.output.matchAll(/Sharding: holding (\d+) of 12/g)];
  return all.length ? Number(all.at(-1)![1]) : -1;
};

const stop = new AbortController();
const settings = kopf.defaultSettings();
settings.sharding.shards = SHARDS;
const running = kopf.operator({ client, namespaces: [ns], settings, signal: stop.signal, logger });
// The replicas run kopf-ts from the sources, as the tests do (test/run.ts).
const env = {
  ...process.env,
  KUBECONFIG: cluster.kubeconfigPath,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=kopf-ts-source`.trim(),
};
const start = (): KopfRunner =>
  new KopfRunner(['run', '-n', ns, '--shards', String(SHARDS), FIXTURE], { env }).start();
const others = [start(), start()];
const leaseRequests = (): number =>
  Object.entries(client.stats())
    .filter(([key]) => key.endsWith(' leases'))
    .reduce((sum, [, n]) => sum + n, 0);
const byVerb = (): Record<string, number> =>
  Object.fromEntries(Object.entries(client.stats()).filter(([key]) => key.endsWith(' leases')));
const updatesOf = (n: number): number =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(' update ') && l.endsWith(` ${n}`)).length;

try {
  const t0 = Date.now();
  await eventually(
    () => holdingHere() === 4 && others.every((r) => holding(r) === 4),
    'balanced 4/4/4',
    120_000,
    200,
  ).catch((err: unknown) => {
    console.log(
      `here: ${holdingHere()}, others: ${others.map(holding).join(', ')}\n${lines.slice(-5).join('')}\n${others[0]!.output.slice(-2000)}`,
    );
    throw err;
  });
  console.log(`balanced 4/4/4 after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (let i = 0; i < objects; i++) await createObject(user, KEX_RESOURCE, kex(`obj-${i}`, { n: 0 }), ns);
  await eventually(
    () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes(' create ')).length >= objects,
    'creates',
    60_000,
    200,
  );

  const before = leaseRequests();
  const verbsBefore = byVerb();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const perMinute = ((leaseRequests() - before) * 60) / seconds;
  const verbs = Object.fromEntries(
    Object.entries(byVerb()).map(([k, v]) => [k, Math.round(((v - (verbsBefore[k] ?? 0)) * 60) / seconds)]),
  );
  console.log(
    `lease requests of one replica holding 4 of 12 shards: ${perMinute.toFixed(0)}/min ${JSON.stringify(verbs)}`,
  );

  await others[1]!.kill();
  const killed = Date.now();
  for (let i = 0; i < objects; i++)
    await patchObject(
      user,
      KEX_RESOURCE,
      { namespace: ns, name: `obj-${i}` },
      { spec: { n: 1 } },
      { type: 'merge' },
    );
  const patched = (Date.now() - killed) / 1000;
  await eventually(
    () => holdingHere() === 6 && holding(others[0]!) === 6,
    'the survivors hold 6 each',
    60_000,
    50,
  );
  const takeover = (Date.now() - killed) / 1000;
  await eventually(() => updatesOf(1) >= objects, 'every change handled', 60_000, 50);
  const handled = (Date.now() - killed) / 1000;
  console.log(
    `SIGKILL of one replica: its shards taken over after ${takeover.toFixed(1)} s; every change (made within ${patched.toFixed(1)} s of the kill) handled after ${handled.toFixed(1)} s`,
  );
} finally {
  stop.abort();
  await running;
  await Promise.all(others.map((r) => r.stop()));
  await client.close();
  await user.close();
  await cluster.close();
}
