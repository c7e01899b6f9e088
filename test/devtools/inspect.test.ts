// XState's own inspection, against the real control plane: runOperator's `inspect` option receives every
// object actor's events, and `statelyInspector` (behind `kopf-ts run --inspect-stately URL`) delivers them
// to a Stately inspector server (@statelyai/inspect/server, local), with the object bodies reduced to their
// name and version. The devtools collector and Stately's inspector share one stream (fanOut).
import test from 'ava';
import { createServer } from 'node:net';
import { createInspectorServer } from '@statelyai/inspect/server';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import * as kopf from '../../src/index.ts';
import { createObject } from '../../src/kube/objects.ts';
import { Collector, fanOut, statelyInspector } from '../../src/devtools/index.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Received {
  type: string;
  snapshot?: { value?: unknown; context?: { key?: string; current?: unknown } };
  event?: { type?: string; event?: { object?: Record<string, unknown> } };
}

test.serial('the inspect option gets the actors’ events; Stately’s inspector receives them, bodies reduced', async (t) => {
  const port = await freePort();
  const inspectorServer = createInspectorServer({ port, autoOpen: false });
  // What the Stately inspector's page would get: a WebSocket client of the inspector server (Node's own).
  const received: Received[] = [];
  const receiver = new WebSocket(`ws://127.0.0.1:${port}`);
  receiver.addEventListener('message', (e) => received.push(JSON.parse(String(e.data)) as Received));
  await new Promise((resolve, reject) => {
    receiver.addEventListener('open', resolve);
    receiver.addEventListener('error', reject);
  });

  const registry = new kopf.Registry();
  kopf.setDefaultRegistry(registry);
  kopf.on.create('kopfexamples', { labels: { case: 'inspect' } }, async function create_fn() {
    return { ok: true };
  });
  const stately = statelyInspector(`ws://127.0.0.1:${port}`);
  const collector = new Collector();
  const direct: string[] = [];
  const stop = new AbortController();
  let ready = false;
  const logger = quietLogger();
  const operator = kopf.operator({
    kubeconfig: cluster.kubeconfigPath,
    namespaces: [cluster.namespace],
    signal: stop.signal,
    onReady: () => (ready = true),
    logger,
    inspect: fanOut((e) => direct.push(e.type), collector.inspect, stately.inspect),
    timeline: collector.timeline,
  });
  const user = kubeClient(cluster);
  try {
    await eventually(() => ready, 'the operator', 30_000);
    await createObject(user, KEX_RESOURCE, kex('watched', { field: 'secret-ish' }, { labels: { case: 'inspect' } }), cluster.namespace);
    await eventually(() => collector.list().find((a) => a.name === 'watched' && a.state === 'idle' && collector.detail(a.key)?.handlers[0]?.state === 'done'), 'the collector to see it handled', 30_000);
    t.true(direct.includes('@xstate.actor'));
    t.true(direct.includes('@xstate.event'));
    t.true(direct.includes('@xstate.snapshot'));

    const idle = await eventually(
      () => received.find((e) => e.type === '@xstate.snapshot' && e.snapshot?.value === 'idle' && typeof e.snapshot.context?.key === 'string' && e.snapshot.context.key.startsWith('kopfexamples')),
      'Stately to receive an object actor idle',
      30_000,
    );
    t.truthy(idle);
    t.true(received.some((e) => e.type === '@xstate.actor'), 'actors are registered');
    const watch = received.find((e) => e.type === '@xstate.event' && e.event?.type === 'watch.event' && e.event.event?.object);
    t.truthy(watch, 'watch events are sent');
    const object = watch!.event!.event!.object!;
    t.deepEqual(Object.keys(object), ['metadata'], 'only the metadata is sent');
    t.deepEqual(Object.keys(object.metadata as object).sort(), ['name', 'namespace', 'resourceVersion', 'uid']);
    t.is((object.metadata as { name?: string }).name, 'watched');
    t.false(JSON.stringify(received).includes('secret-ish'), 'no spec reaches the inspector');
  } finally {
    stop.abort();
    await operator;
    stately.stop();
    receiver.close();
    inspectorServer.stop();
    await user.close();
  }
});
