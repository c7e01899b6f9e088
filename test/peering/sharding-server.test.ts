// Server-side sharding: on a control plane with Kubernetes 1.36's alpha ShardedListAndWatch gate (startControlPlane's
// `featureGates`), two `--shards 4` replicas each LIST and WATCH only the objects of the shards they hold
// (`shardSelector`), handle each object exactly once, and the survivor of a SIGKILL re-lists all of them. The
// peering CRDs are applied too: sharded replicas of one group peer without pausing each other.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createObject } from '../../src/kube/objects.ts';
import { KopfRunner } from '../../src/testing.ts';
import { eventually } from '../helpers/cluster.ts';
import { kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { peeringPlane } from '../helpers/peering.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/peering/sharded.ts', import.meta.url));
const OBJECTS = 40;
const LEASE = { leaseDuration: 6, renewDeadline: 4, retryPeriod: 1 };

/** The object count of a replica's last listing of kopfexamples (-1 before any, or when it was not filtered by shard). */
function lastListed(runner: KopfRunner, filtered = true): number {
  const all = [
    ...runner.output.matchAll(
      /(?:Watching kopfexamples\S* in default \(|Re-listed kopfexamples\S* in default: )(\d+) objects( of the held shards)?/g,
    ),
  ];
  const last = all.at(-1);
  return last && (!filtered || last[2]) ? Number(last[1]) : -1;
}

function holding(runner: KopfRunner): number {
  const all = [...runner.output.matchAll(/Sharding: holding (\d+) of 4 shards/g)];
  return all.length ? Number(all.at(-1)![1]) : -1;
}

test('each replica lists and watches only its shards; exactly once; the survivor re-lists everything', async (t) => {
  t.timeout(150_000);
  const env = await peeringPlane({ featureGates: ['ShardedListAndWatch'] });
  const file = join(tmpdir(), `kopf-ts-sharding-server-${process.pid}.log`);
  writeFileSync(file, '');
  const start = (): KopfRunner =>
    new KopfRunner(['run', '--verbose', '-n', 'default', '--shards', '4', OPERATOR], {
      env: { ...env.env, SHARD_LOG: file },
      settings: { sharding: LEASE },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    }).start();
  let replicas: KopfRunner[] = [];
  try {
    for (let i = 0; i < OBJECTS; i++)
      await createObject(env.user, KEX_RESOURCE, kex(`obj-${i}`, { n: 0 }), 'default');
    replicas = [start(), start()];
    for (const r of replicas) await r.waitFor(/the apiserver filters LIST and WATCH by shard/, 60_000);
    await eventually(() => replicas.every((r) => holding(r) === 2), 'the shards balanced 2/2', 60_000, 200);
    await eventually(
      () =>
        replicas.every((r) => lastListed(r) >= 0) &&
        lastListed(replicas[0]!) + lastListed(replicas[1]!) === OBJECTS,
      'the listings to split the objects',
      30_000,
      200,
    );
    const [a, b] = replicas.map((r) => lastListed(r)) as [number, number];
    t.true(a > 0 && a < OBJECTS && b > 0 && b < OBJECTS, `each lists only its shards' objects (${a} + ${b})`);

    const creates = (): string[] =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes(' create '));
    await eventually(() => creates().length >= OBJECTS, 'every object handled', 30_000, 200);
    const names = creates().map((l) => l.split(' ')[2]);
    t.is(new Set(names).size, OBJECTS, 'each object handled');
    t.is(names.length, OBJECTS, 'none twice');
    for (const r of replicas)
      t.false(r.output.includes('Pausing'), 'sharded siblings do not pause each other in the peering');

    await replicas[1]!.kill();
    // All shards held: the watch asks for everything (no selector) and lists every object.
    await eventually(
      () => holding(replicas[0]!) === 4 && lastListed(replicas[0]!, false) === OBJECTS,
      'the survivor to hold and list everything',
      (LEASE.leaseDuration + 15) * 1000,
      200,
    );
    t.is(holding(replicas[0]!), 4, 'the survivor holds every shard');
    t.is(lastListed(replicas[0]!, false), OBJECTS, 'and lists every object, without a shard selector');
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await env.stop();
  }
});
