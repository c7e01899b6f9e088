// src/kube/watch.ts against the real control plane: the initial listing (streamed with sendInitialEvents by
// default; page by page when asked, and as the fallback on a server with the WatchList feature off, which
// answers 422), live events, resuming from the last resourceVersion after a silent stream, a real 410 Gone →
// relist with deletions synthesized for objects that vanished meanwhile, and the fields dropped from bodies.
import test from 'ava';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, deleteObject, patchObject } from '../../src/kube/objects.ts';
import type { Body } from '../../src/model/body.ts';
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

/** The bodies yielded for `name`, in order. */
function bodiesOf(items: WatchItem[], name: string): Body[] {
  return items.flatMap((i) => (i.kind === 'event' && i.event.object.metadata.name === name ? [i.event.object] : []));
}

test.serial('the initial state is streamed by default and listed page by page when streaming is off', async (t) => {
  const ns = cluster.namespace;
  for (let i = 0; i < 5; i++) await createObject(client, KEX_RESOURCE, kex(`paged-${i}`, { i }, { labels: { t: 'paged' } }), ns);
  for (const streamingLists of [true, false]) {
    const own = kubeClient(cluster);
    const abort = new AbortController();
    const w = collect({ client: own, resource: KEX_RESOURCE, namespace: ns, signal: abort.signal, pageSize: 2, streamingLists });
    const listed = await eventually(() => w.items.find((i) => i.kind === 'listed'), 'the listing');
    t.like(listed, { kind: 'listed', streamed: streamingLists });
    for (let i = 0; i < 5; i++) t.true(names(w.items, null).includes(`paged-${i}`), `paged-${i} in the initial state (streaming: ${streamingLists})`);
    const pages = own.stats()['list kopfexamples'];
    // Streamed: one request that goes on as the watch. Listed: ≥ 3 pages of 2 (other tests' objects add more).
    if (streamingLists) t.is(pages, 1);
    else t.true(pages! >= 3, `pages: ${pages}`);
    await patchObject(client, KEX_RESOURCE, { namespace: ns, name: 'paged-0' }, { spec: { i: 100 + Number(streamingLists) } }, { type: 'merge' });
    await eventually(() => bodiesOf(w.items, 'paged-0').some((b) => (b.spec as { i?: number }).i === 100 + Number(streamingLists)), 'the change after the listing');
    t.is(w.items.filter((i) => i.kind === 'listed').length, 1);
    abort.abort();
    await w.stop();
    await own.close();
  }
});

test.serial('managedFields and the last-applied annotation are dropped from bodies unless kept', async (t) => {
  const ns = cluster.namespace;
  const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
  await createObject(client, KEX_RESOURCE, kex('trimmed', { field: 'v' }, { labels: { keep: 'me' }, annotations: { [lastApplied]: '{"big":"json"}', other: 'kept' } }), ns);
  for (const keepManagedFields of [false, true]) {
    const abort = new AbortController();
    const w = collect({ client, resource: KEX_RESOURCE, namespace: ns, signal: abort.signal, keepManagedFields });
    await eventually(() => w.items.some((i) => i.kind === 'listed'), 'the listing');
    await patchObject(client, KEX_RESOURCE, { namespace: ns, name: 'trimmed' }, { spec: { field: `w${String(keepManagedFields)}` } }, { type: 'merge' });
    await eventually(() => bodiesOf(w.items, 'trimmed').length >= 2, 'the listed and the modified body');
    for (const body of bodiesOf(w.items, 'trimmed')) {
      const meta = body.metadata as Body['metadata'] & { managedFields?: unknown[] };
      t.is(meta.managedFields !== undefined, keepManagedFields, 'managedFields');
      t.is(meta.annotations?.[lastApplied] !== undefined, keepManagedFields, 'the last-applied annotation');
      t.is(meta.annotations?.['other'], 'kept');
      t.deepEqual(meta.labels, { keep: 'me' });
      t.is(typeof (body.spec as { field?: string }).field, 'string');
    }
    abort.abort();
    await w.stop();
  }
});

test.serial('a server without streaming lists (WatchList off: 422) is listed page by page, then watched', async (t) => {
  t.timeout(180_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('needs a plane of its own, started with the WatchList feature off');
  const plane = await startControlPlane({ apiserverFlags: ['--feature-gates=WatchList=false'] });
  const own = new KubeClient(loadConnection({ kubeconfig: plane.kubeconfigPath }));
  try {
    // The server really refuses the streaming list.
    const refused = await own.stream({ method: 'GET', path: '/api/v1/namespaces', query: { watch: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true } }).then(
      () => 'accepted',
      (err: { status?: number }) => err.status,
    );
    t.is(refused, 422);
    await own.request({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: parse(readFileSync(CRD_PATH, 'utf8')) });
    await eventually(() => own.request({ method: 'GET', path: '/apis/kopf.dev/v1/kopfexamples' }).then(() => true), 'the CRD to be listable');
    for (let i = 0; i < 3; i++) await createObject(own, KEX_RESOURCE, kex(`old-${i}`), 'default');
    const before = own.stats()['list kopfexamples'] ?? 0;
    const abort = new AbortController();
    const w = collect({ client: own, resource: KEX_RESOURCE, namespace: 'default', signal: abort.signal, pageSize: 2 });
    const listed = await eventually(() => w.items.find((i) => i.kind === 'listed'), 'the listing');
    t.like(listed, { kind: 'listed', streamed: false, count: 3 });
    t.deepEqual(names(w.items, null).sort(), ['old-0', 'old-1', 'old-2']);
    t.is(own.stats()['list kopfexamples'], before + 1 + 2, 'the refused streaming request and two pages');
    await createObject(own, KEX_RESOURCE, kex('new'), 'default');
    await eventually(() => names(w.items, 'ADDED').includes('new'), 'a live event after the fallback');
    abort.abort();
    await w.stop();
  } finally {
    await own.close();
    await plane.stop();
  }
});
