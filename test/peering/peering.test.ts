// Kopf's peering between kopf-ts replicas (real processes, a plane of its own with the peering CRDs): the records
// in Kopf's format; only the higher priority handles; killing it lets the other resume within the lifetime;
// equal priorities warn and pause both; mandatory peering without the CRD waits; no CRD → standalone with a warning.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createObject, getObject } from '../../src/kube/objects.ts';
import { eventually } from '../helpers/cluster.ts';
import { kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { peeringPlane, type PeeringPlane } from '../helpers/peering.ts';
import { scrape } from '../helpers/prometheus.ts';
import type { Resource } from '../../src/model/resource.ts';
import type { KopfRunner } from '../../src/testing.ts';

const HANDLERS = fileURLToPath(new URL('../fixtures/peering/handlers.ts', import.meta.url));
const CLUSTER_PEERING: Resource = {
  ...KEX_RESOURCE,
  plural: 'clusterkopfpeerings',
  kind: 'ClusterKopfPeering',
  singular: 'clusterkopfpeering',
  subresources: [],
  namespaced: false,
  shortcuts: [],
};
const LIFETIME = 10;

let env: PeeringPlane;
test.before(async () => {
  env = await peeringPlane();
});
test.after.always(async () => {
  await env?.stop();
});

async function peers(): Promise<Record<string, { priority: number; lifetime: number; lastseen: string }>> {
  const body = await getObject(env.user, CLUSTER_PEERING, { name: 'default' });
  return (body.status ?? {}) as never;
}

function operator(priority: number, ...extra: string[]): KopfRunner {
  return env
    .runner(['run', '-A', '--verbose', '--priority', String(priority), ...extra, HANDLERS], {
      peering: { lifetime: LIFETIME },
    })
    .start();
}

test.serial(
  'only the higher priority handles; the records are in Kopf format; killing it resumes the other within the lifetime',
  async (t) => {
    t.timeout(120_000);
    const high = operator(10);
    await high.waitFor(/Watching kopfexamples/, 60_000);
    const low = operator(0);
    try {
      await low.waitFor(/Pausing operations in favour of \[<Peer .*priority=10, lifetime=10/, 30_000);
      // Kopf's record: {priority, lifetime, lastseen} with Python's isoformat of a UTC time.
      const records = await eventually(async () => {
        const all = Object.values(await peers());
        return all.length === 2 ? all : null;
      }, 'two records');
      for (const record of records) {
        t.deepEqual(Object.keys(record).sort(), ['lastseen', 'lifetime', 'priority']);
        t.is(record.lifetime, LIFETIME);
        t.regex(record.lastseen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      }
      t.deepEqual(records.map((r) => r.priority).sort(), [0, 10]);
      for (let i = 0; i < 5; i++) await createObject(env.user, KEX_RESOURCE, kex(`obj-${i}`), 'default');
      await eventually(() => high.count(/HANDLED obj-/g) === 5, 'the high-priority operator to handle all');
      // Killed only once every result is written: a kill between a handler's return and its write re-runs
      // the handler (at-least-once), which is not what this test is about.
      await eventually(async () => {
        for (let i = 0; i < 5; i++) {
          const body = await getObject(env.user, KEX_RESOURCE, { namespace: 'default', name: `obj-${i}` });
          if (!body.metadata.annotations?.['kopf.zalando.org/last-handled-configuration']) return false;
        }
        return true;
      }, 'every handled object to carry its diff-base');
      t.is(low.count(/HANDLED obj-/g), 0, 'the paused one handles nothing');

      await high.kill();
      const killed = Date.now();
      await low.waitFor(/Resuming operations after the pause/, (LIFETIME + 10) * 1000);
      const took = (Date.now() - killed) / 1000;
      t.true(took <= LIFETIME + 5, `resumed ${took} s after the kill`);
      await createObject(env.user, KEX_RESOURCE, kex('after'), 'default');
      await low.waitFor(/HANDLED after/, 20_000);
      t.is(low.count(/HANDLED obj-/g), 0, 'what the other handled is not handled again');
      // The dead peer's record is cleaned by the survivor.
      await eventually(async () => Object.keys(await peers()).length === 1, 'the dead record removed');
    } finally {
      await high.stop();
      await low.stop();
    }
    // On exit, each removes its own record.
    await eventually(async () => Object.keys(await peers()).length === 0, 'the records removed on exit');
  },
);

test.serial("equal priorities: Kopf's warning, and both pause", async (t) => {
  t.timeout(120_000);
  const a = operator(5, '--metrics', '127.0.0.1:0');
  const b = operator(5, '--metrics', '127.0.0.1:0');
  try {
    await a.waitFor(/Possibly conflicting operators with the same priority: \[<Peer /, 30_000);
    await b.waitFor(/Possibly conflicting operators with the same priority: \[<Peer /, 30_000);
    await a.waitFor(/Pausing all operators, including self/, 10_000);
    await b.waitFor(/Pausing all operators, including self/, 10_000);
    const urls = await Promise.all(
      [a, b].map(async (o) => (await o.waitFor(/Serving metrics at (\S+)/, 10_000))[1]!),
    );
    const added = async (url: string): Promise<number> =>
      (await scrape(url)).sum('kopf_ts_watch_events_total', { resource: /kopfexamples/, type: 'ADDED' });
    const before = await Promise.all(urls.map(added));
    await createObject(env.user, KEX_RESOURCE, kex('contested'), 'default');
    // Both received the object's event (their watches stay open while paused) and made no actor of it: a
    // paused operator parks the event, so no handler can run for it.
    for (const [i, url] of urls.entries()) {
      await eventually(
        async () => (await added(url)) > before[i]!,
        `operator ${i} to receive the ADDED event`,
      );
      t.is((await scrape(url)).sum('kopf_ts_object_actors'), 0, `operator ${i} holds no object actor`);
    }
    t.is(a.count(/HANDLED contested/g) + b.count(/HANDLED contested/g), 0, 'neither handles');
  } finally {
    await a.stop();
    await b.stop();
  }
});

test.serial('--standalone ignores the peers; --peering NAME without that object waits, paused', async (t) => {
  t.timeout(120_000);
  const high = operator(100);
  const alone = operator(0, '--standalone');
  const mandatory = operator(1000, '--peering', 'absent');
  try {
    await high.waitFor(/Watching kopfexamples/, 60_000);
    await alone.waitFor(/Watching kopfexamples/, 60_000);
    await mandatory.waitFor(/Watching kopfexamples/, 60_000);
    await createObject(env.user, KEX_RESOURCE, kex('alone'), 'default');
    await alone.waitFor(/HANDLED alone/, 20_000);
    await high.waitFor(/HANDLED alone/, 20_000);
    t.false(alone.output.includes('Pausing'), 'standalone never pauses');
    t.is(mandatory.count(/HANDLED/g), 0, 'mandatory peering on a missing object stays paused');
    t.regex(mandatory.output, /Keep-alive in 'absent' cluster-wide: not found/);
  } finally {
    await high.stop();
    await alone.stop();
    await mandatory.stop();
  }
});
