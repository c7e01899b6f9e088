// The lease actors of sharding are live in the devtools: an operator with `--shards` (in-process, the devtools'
// observer given) lists an actor of the `lease` machine per held shard and one for its member Lease, in `held`.
import test from 'ava';
import * as kopf from '../../src/index.ts';
import { startDevtools } from '../../src/devtools/index.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient } from '../helpers/kube.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('the held Leases are actors of the lease machine in the devtools', async (t) => {
  kopf.setDefaultRegistry(new kopf.Registry());
  kopf.on.create('kopfexamples', async function noop() {});
  const devtools = await startDevtools();
  const client = kubeClient(cluster);
  const stop = new AbortController();
  const settings = kopf.defaultSettings();
  settings.sharding.shards = 3;
  const running = kopf.operator({
    client,
    namespaces: [cluster.namespace],
    settings,
    signal: stop.signal,
    logger: quietLogger(),
    inspect: devtools.inspect,
  });
  try {
    const leases = await eventually(
      async () => {
        const res = await fetch(
          `${devtools.url.split('?')[0]!.replace(/\/$/, '')}/api/actors?token=${devtools.token}`,
        );
        const body = (await res.json()) as {
          actors: { machine: string | null; state: string }[];
          machines: string[];
        };
        t.true(body.machines.includes('lease'), 'the lease diagram is served');
        const held = body.actors.filter((a) => a.machine === 'lease' && a.state.startsWith('held'));
        return held.length === 4 ? held : null;
      },
      'three shard Leases and the member Lease held, as lease actors',
      30_000,
      200,
    );
    t.is(leases.length, 4);
  } finally {
    stop.abort();
    await running;
    await client.close();
    await devtools.close();
  }
});
