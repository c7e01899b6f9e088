// src/kube/watch.ts against the real control plane: the initial listing, live events, resuming from the last
// resourceVersion after a silent stream, and a real 410 Gone → relist with deletions synthesized for objects
// that vanished meanwhile.
import test from 'ava';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, deleteObject, patchObject } from '../../src/kube/objects.ts';
import { watchObjects, type WatchItem } from '../../src/kube/watch.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadConnection } from '../../src/kube/config.ts';
import { discoverResources } from '../../src/kube/discovery.ts';
import { startControlPlane } from '../../src/cluster/index.ts';
import { CRD_PATH } from '../helpers/cluster.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

let cluster: TestCluster;
let client: KubeClient;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  client = kubeClient(cluster);
});
test.after.always(async () => {
  await client?.close();
  await cluster?.close();
});

/** Consumes a watch in the background, collecting what it yields. */
function collect(options: Parameters<typeof watchObjects>[0]): { items: WatchItem[]; stop: () => Promise<void> } {
  const items: WatchItem[] = [];
  const loop = (async () => {
    for await (const item of watchObjects(options)) items.push(item);
  })();
  return { items, stop: async () => { await loop; } };
}

function names(items: WatchItem[], type: string | null): string[] {
  return items.filter((i) => i.kind === 'event' && i.event.type === type).map((i) => (i as { event: { object: { metadata: { name?: string } } } }).event.object.metadata.name!);
}

test.serial('lists first, then streams ADDED, MODIFIED and DELETED', async (t) => {
  const ns = `${cluster.namespace}`;
  await createObject(client, KEX_RESOURCE, kex('before', { field: 'v' }, { labels: { t: 'stream' } }), ns);
  const abort = new AbortController();
  const w = collect({ client, resource: KEX_RESOURCE, namespace: ns, signal: abort.signal });
  await eventually(() => w.items.some((i) => i.kind === 'listed'), 'the listing');
  t.true(names(w.items, null).includes('before'), 'pre-existing objects come from the listing with type null');
  await createObject(client, KEX_RESOURCE, kex('live'), ns);
  await patchObject(client, KEX_RESOURCE, { namespace: ns, name: 'live' }, { spec: { field: 'changed' } }, { type: 'merge' });
  await deleteObject(client, KEX_RESOURCE, { namespace: ns, name: 'live' });
  await eventually(() => names(w.items, 'DELETED').includes('live'), 'the DELETED event');
  t.deepEqual(names(w.items, 'ADDED').filter((n) => n === 'live'), ['live']);
  t.true(names(w.items, 'MODIFIED').includes('live'));
  abort.abort();
  await w.stop();
});

test.serial('a silent stream is re-opened from the last resourceVersion, without relisting', async (t) => {
  const ns = cluster.namespace;
  const own = kubeClient(cluster);
  const abort = new AbortController();
  const w = collect({ client: own, resource: KEX_RESOURCE, namespace: ns, signal: abort.signal, inactivityTimeout: 1, reconnectBackoff: 0.05 });
  await eventually(() => w.items.some((i) => i.kind === 'listed'), 'the listing');
  await eventually(() => (own.stats()['watch kopfexamples'] ?? 0) >= 3, 'two re-watches after silence', 15_000);
  await createObject(client, KEX_RESOURCE, kex('after-silence'), ns);
  await eventually(() => names(w.items, 'ADDED').includes('after-silence'), 'the event after re-watching');
  t.is(own.stats()['list kopfexamples'], 1, 'no relisting');
  t.is(w.items.filter((i) => i.kind === 'listed').length, 1);
  t.is(names(w.items, 'ADDED').filter((n) => n === 'after-silence').length, 1, 'no duplicates');
  abort.abort();
  await w.stop();
  await own.close();
});

test.serial('a real 410 Gone makes it relist and synthesize DELETED for objects that vanished', async (t) => {
  t.timeout(180_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('needs a plane of its own (an existing cluster keeps history too long)');
  // A plane of its own, without the watch cache and with a 5 s etcd compaction: a resourceVersion a few
  // seconds old is then really gone (the shared plane's watch cache keeps history for minutes).
  const plane = await startControlPlane({ etcdCompactionInterval: '5s', apiserverFlags: ['--watch-cache=false'] });
  const own = new KubeClient(loadConnection({ kubeconfig: plane.kubeconfigPath }));
  try {
    await own.request({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: parse(readFileSync(CRD_PATH, 'utf8')) });
    await eventually(async () => (await discoverResources(own, { groups: ['kopf.dev'] })).length > 0, 'the CRD to be served');
    await eventually(() => own.request({ method: 'GET', path: '/apis/kopf.dev/v1/kopfexamples' }).then(() => true), 'the CRD to be listable');
    const ns = 'default';
    await createObject(own, KEX_RESOURCE, kex('survivor'), ns);
    await createObject(own, KEX_RESOURCE, kex('vanishing'), ns);
    const abort = new AbortController();
    // Silent for 1 s → re-watch after a long backoff (12–36 s): meanwhile the resourceVersion is compacted.
    const w = collect({ client: own, resource: KEX_RESOURCE, namespace: ns, signal: abort.signal, inactivityTimeout: 1, reconnectBackoff: 24 });
    await eventually(() => w.items.some((i) => i.kind === 'listed'), 'the listing');
    const lists = own.stats()['list kopfexamples'] ?? 0;
    await deleteObject(own, KEX_RESOURCE, { namespace: ns, name: 'vanishing' });
    // More writes elsewhere so that compaction moves past the watcher's resourceVersion.
    await own.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'churn' } } });
    await createObject(own, KEX_RESOURCE, kex('churn'), 'churn');
    for (let i = 0; i < 50; i++) await patchObject(own, KEX_RESOURCE, { namespace: 'churn', name: 'churn' }, { spec: { i } }, { type: 'merge' });
    const relisted = await eventually(() => w.items.find((i) => i.kind === 'listed' && i.relist), 'a relist after 410 Gone', 120_000);
    t.truthy(relisted);
    t.is(own.stats()['list kopfexamples'], lists + 1, 'one more listing');
    const deleted = names(w.items, 'DELETED');
    t.true(deleted.includes('vanishing'), `the vanished object is reported deleted (got ${deleted.join(', ')})`);
    t.false(deleted.includes('survivor'));
    const synthesized = w.items.find((i) => i.kind === 'event' && i.event.type === 'DELETED');
    t.like(synthesized, { kind: 'event', event: { type: 'DELETED', object: { kind: 'KopfExample', metadata: { name: 'vanishing', namespace: ns } } } });
    abort.abort();
    await w.stop();
  } finally {
    await own.close();
    await plane.stop();
  }
});
