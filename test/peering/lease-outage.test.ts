// Leases across an apiserver outage (a control plane of its own: its kube-apiserver is frozen with SIGSTOP for
// longer than the renew deadline, then resumed): both replicas stop handling their shards when they cannot
// renew, take them again afterwards, and at no moment do two replicas hold one shard; every change is handled once.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createObject, patchObject } from '../../src/kube/objects.ts';
import type { KopfRunner } from '../../src/testing.ts';
import { eventually } from '../helpers/cluster.ts';
import { kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { peeringPlane } from '../helpers/peering.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/peering/sharded.ts', import.meta.url));
const LEASE = { leaseDuration: 6, renewDeadline: 4, retryPeriod: 1 };
const OBJECTS = 10;

/** Each "holding" line of a replica: when (ms of the day), which shards. */
function timeline(runner: KopfRunner): { at: number; shards: number[] }[] {
  return [
    ...runner.output.matchAll(
      /\[(\d\d):(\d\d):(\d\d)\.(\d{3})\] INFO: Sharding: holding \d+ of 4 shards \[([\d, ]*)\]/g,
    ),
  ].map((m) => ({
    at: ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]),
    shards: m[5] ? m[5].split(', ').map(Number) : [],
  }));
}

function holding(runner: KopfRunner): number {
  return timeline(runner).at(-1)?.shards.length ?? -1;
}

test('an apiserver outage longer than the renew deadline: holders stop, take over again, never two at once', async (t) => {
  t.timeout(150_000);
  const file = join(tmpdir(), `kopf-ts-lease-outage-${process.pid}.log`);
  writeFileSync(file, '');
  process.env.SHARD_LOG = file; // the replicas' environment is this process's (each test file runs in its own)
  const env = await peeringPlane();
  const apiserver = env.plane.pids.find(
    (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'kube-apiserver',
  );
  t.truthy(apiserver, 'the kube-apiserver process');
  const start = (): KopfRunner => {
    const r = env.runner(['run', '--standalone', '-n', 'default', '--shards', '4', OPERATOR], {
      sharding: LEASE,
    });
    r.start();
    return r;
  };
  let replicas: KopfRunner[] = [];
  try {
    replicas = [start(), start()];
    await eventually(() => replicas.every((r) => holding(r) === 2), 'the shards balanced 2/2', 60_000, 200);
    for (let i = 0; i < OBJECTS; i++)
      await createObject(env.user, KEX_RESOURCE, kex(`obj-${i}`, { n: 0 }), 'default');
    await eventually(
      () =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.includes(' create ')).length >= OBJECTS,
      'the creates',
      30_000,
      200,
    );

    process.kill(apiserver!, 'SIGSTOP');
    try {
      await eventually(
        () => replicas.every((r) => holding(r) === 0),
        'both to stop handling at the renew deadline',
        (LEASE.renewDeadline + 5) * 1000,
        100,
      );
    } finally {
      process.kill(apiserver!, 'SIGCONT');
    }
    await eventually(
      () => replicas.every((r) => holding(r) === 2),
      'the shards held again, 2/2',
      60_000,
      200,
    );
    for (let i = 0; i < OBJECTS; i++)
      await patchObject(
        env.user,
        KEX_RESOURCE,
        { namespace: 'default', name: `obj-${i}` },
        { spec: { n: 1 } },
        { type: 'merge' },
      );
    await eventually(
      () =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.includes(' update ')).length >= OBJECTS,
      'the updates',
      30_000,
      200,
    );
    const updates = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes(' update '))
      .map((l) => l.split(' ')[2]);
    t.is(new Set(updates).size, OBJECTS, 'every update handled');
    t.is(updates.length, OBJECTS, 'none twice');

    // At no moment did both replicas hold one shard.
    const events = replicas
      .flatMap((r, who) => timeline(r).map((e) => ({ ...e, who })))
      .sort((a, b) => a.at - b.at);
    const held: Set<number>[] = [new Set(), new Set()];
    const overlaps: string[] = [];
    for (const e of events) {
      held[e.who] = new Set(e.shards);
      const both = [...held[0]!].filter((s) => held[1]!.has(s));
      if (both.length) overlaps.push(`shards ${both.join(', ')} at ${e.at}`);
    }
    t.deepEqual(overlaps, [], 'never two holders');
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await env.stop();
  }
});
