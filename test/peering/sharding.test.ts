// Scale-out against the real control plane: 3 replicas of `kopf-ts run --shards 12` share 300 objects by
// Lease-held shards — balanced 4/4/4, every change (create, update, delete) handled exactly once; SIGKILL one
// replica → its objects are handled by the others within the lease duration + 5 s, still exactly once; start it
// again → the shards rebalance to 4/4/4 and it handles its share. Client-side sharding (the shared plane does
// not enable ShardedListAndWatch); the chaos is bounded.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createObject, deleteObject, patchObject } from '../../src/kube/objects.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KopfRunner } from '../../src/testing.ts';
import { KopfRunner as Runner } from '../../src/testing.ts';
import { eventually, testCluster, type TestCluster } from '../helpers/cluster.ts';
import { kex, KEX_RESOURCE, kubeClient } from '../helpers/kube.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/peering/sharded.ts', import.meta.url));
const OBJECTS = 300;
const SHARDS = 12;
const LEASE = { leaseDuration: 8, renewDeadline: 5, retryPeriod: 1 };

let cluster: TestCluster;
let user: KubeClient;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  user = kubeClient(cluster);
});
test.after.always(async () => {
  await user?.close();
  await cluster?.close();
});

interface Line {
  pid: string;
  cause: string;
  name: string;
  n: string;
}

function lines(path: string): Line[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [pid, cause, name, n] = l.split(' ') as [string, string, string, string];
      return { pid, cause, name, n };
    });
}

/** The last "holding N of 12" of a replica (-1 before any). */
function holding(runner: KopfRunner): number {
  const all = [...runner.output.matchAll(/Sharding: holding (\d+) of 12 shards/g)];
  return all.length ? Number(all.at(-1)![1]) : -1;
}

async function inBatches(count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += 25)
    await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, j) => fn(i + j)));
}

/** Every object has exactly one line of this cause and n; returns who handled each. */
function exactlyOnce(
  t: { deepEqual: (a: unknown, b: unknown, m?: string) => void },
  all: Line[],
  cause: string,
  n: number,
): Map<string, string> {
  const of = all.filter((l) => l.cause === cause && l.n === String(n));
  const by = new Map<string, string>();
  const twice: string[] = [];
  for (const l of of) {
    if (by.has(l.name)) twice.push(l.name);
    by.set(l.name, l.pid);
  }
  t.deepEqual(twice, [], `no ${cause} (n=${n}) handled twice`);
  t.deepEqual(by.size, OBJECTS, `every ${cause} (n=${n}) handled`);
  return by;
}

test('3 replicas, 12 shards, 300 objects: balanced, exactly once, takeover after SIGKILL, rebalance on restart', async (t) => {
  t.timeout(180_000);
  const started = Date.now();
  const ns = cluster.namespace;
  const file = join(tmpdir(), `kopf-ts-sharding-${process.pid}.log`);
  writeFileSync(file, '');
  const start = (): KopfRunner =>
    new Runner(['run', '--verbose', '-n', ns, '--shards', String(SHARDS), OPERATOR], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, SHARD_LOG: file },
      settings: { sharding: LEASE },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    }).start();
  const replicas = [start(), start(), start()];
  const names = Array.from({ length: OBJECTS }, (_, i) => `obj-${String(i).padStart(3, '0')}`);
  const countOf = (cause: string, n: number): number =>
    lines(file).filter((l) => l.cause === cause && l.n === String(n)).length;
  try {
    await eventually(() => replicas.every((r) => holding(r) === 4), 'the shards balanced 4/4/4', 60_000, 200);

    await inBatches(OBJECTS, (i) => createObject(user, KEX_RESOURCE, kex(names[i]!, { n: 0 }), ns));
    await eventually(() => countOf('create', 0) >= OBJECTS, 'every create handled', 60_000, 200);
    const creators = exactlyOnce(t, lines(file), 'create', 0);
    const pids = new Set(creators.values());
    t.is(pids.size, 3, 'all three replicas handled a share');

    await inBatches(OBJECTS, (i) =>
      patchObject(
        user,
        KEX_RESOURCE,
        { namespace: ns, name: names[i]! },
        { spec: { n: 1 } },
        { type: 'merge' },
      ),
    );
    await eventually(() => countOf('update', 1) >= OBJECTS, 'every update handled', 60_000, 200);
    exactlyOnce(t, lines(file), 'update', 1);

    // SIGKILL one replica; change every object at once: the victim's objects wait for its leases to expire.
    const victim = replicas[2]!;
    const victimPid = /SHARDED PID (\d+)/.exec(victim.output)?.[1];
    t.true(victimPid !== undefined && pids.has(victimPid), 'the victim had handled its share');
    await victim.kill();
    const killed = Date.now();
    await inBatches(OBJECTS, (i) =>
      patchObject(
        user,
        KEX_RESOURCE,
        { namespace: ns, name: names[i]! },
        { spec: { n: 2 } },
        { type: 'merge' },
      ),
    );
    await eventually(
      () => countOf('update', 2) >= OBJECTS,
      'every update after the kill handled',
      (LEASE.leaseDuration + 20) * 1000,
      100,
    );
    const took = (Date.now() - killed) / 1000;
    t.true(
      took <= LEASE.leaseDuration + 5,
      `the victim's objects were handled ${took.toFixed(1)} s after the kill (≤ lease duration + 5 s)`,
    );
    const afterKill = exactlyOnce(t, lines(file), 'update', 2);
    const survivors = new Set(afterKill.values());
    t.is(survivors.size, 2, 'the two survivors handled everything');
    t.false(survivors.has(victimPid!), 'the dead replica handled nothing');
    await eventually(
      () => replicas.slice(0, 2).every((r) => holding(r) === 6),
      'the survivors hold 6 each',
      30_000,
      200,
    );

    // The replica comes back: the shards are handed over until 4/4/4 again.
    replicas[2] = start();
    await eventually(
      () => replicas.every((r) => holding(r) === 4),
      'the shards rebalanced to 4/4/4',
      60_000,
      200,
    );
    await inBatches(OBJECTS, (i) =>
      patchObject(
        user,
        KEX_RESOURCE,
        { namespace: ns, name: names[i]! },
        { spec: { n: 3 } },
        { type: 'merge' },
      ),
    );
    await eventually(
      () => countOf('update', 3) >= OBJECTS,
      'every update after the rebalance handled',
      60_000,
      200,
    );
    t.is(
      new Set(exactlyOnce(t, lines(file), 'update', 3).values()).size,
      3,
      'all three replicas handle their share again',
    );

    await inBatches(OBJECTS, (i) => deleteObject(user, KEX_RESOURCE, { namespace: ns, name: names[i]! }));
    await eventually(() => countOf('delete', 3) >= OBJECTS, 'every delete handled', 60_000, 200);
    exactlyOnce(t, lines(file), 'delete', 3);
    t.true(Date.now() - started < 180_000, 'bounded');
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
  }
});
