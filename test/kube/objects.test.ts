// src/kube against the real control plane: discovery, create/get/paginated list, merge, JSON and status
// patches, typed errors, and the request counters.
import test from 'ava';
import v8 from 'node:v8';
import { testCluster, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { discoverResources } from '../../src/kube/discovery.ts';
import { createObject, getObject, listObjects, patchObject, deleteObject } from '../../src/kube/objects.ts';
import { ApiConnectionError, ApiNotFoundError, ApiUnprocessableError, ApiConflictError, ignoreNotFound } from '../../src/kube/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';

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

test('discovery finds the example CRD with its subresources, short names and scope', async (t) => {
  const resources = await discoverResources(client, { groups: ['kopf.dev', ''] });
  const kexes = resources.find((r) => r.group === 'kopf.dev' && r.plural === 'kopfexamples');
  t.like(kexes, { kind: 'KopfExample', singular: 'kopfexample', namespaced: true, preferred: true, version: 'v1' });
  t.deepEqual(kexes!.subresources, ['status']);
  t.deepEqual([...kexes!.shortcuts].sort(), ['kex', 'kopfex', 'kopfexes']);
  t.true(kexes!.verbs.includes('watch'));
  const pods = resources.find((r) => r.group === '' && r.plural === 'pods');
  t.truthy(pods);
  t.true(pods!.subresources.includes('status'));
  t.falsy(resources.find((r) => r.group === 'apps'), 'only the asked groups are scanned');
});

test('objects are created, read and listed page by page', async (t) => {
  const ns = cluster.namespace;
  for (let i = 0; i < 5; i++) await createObject(client, KEX_RESOURCE, kex(`page-${i}`, { field: 'value' }, { labels: { set: 'pages' } }), ns);
  const before = client.stats()['list kopfexamples'] ?? 0;
  const listed = await listObjects(client, KEX_RESOURCE, { namespace: ns, pageSize: 2, labelSelector: 'set=pages' });
  const pages = (client.stats()['list kopfexamples'] ?? 0) - before;
  t.is(pages, 3, '5 objects with limit 2 → 3 pages');
  t.deepEqual(listed.items.map((o) => o.metadata.name).sort(), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  t.true(listed.items.every((o) => o.kind === 'KopfExample' && o.apiVersion === 'kopf.dev/v1'), 'kind/apiVersion filled in from the list');
  t.regex(listed.resourceVersion, /^\d+$/);
  const one = await getObject(client, KEX_RESOURCE, { namespace: ns, name: 'page-3' });
  t.deepEqual(one.spec, { field: 'value' });
});

test('merge, JSON and status patches return the patched object; a stale JSON patch is refused with 422', async (t) => {
  const ns = cluster.namespace;
  const created = await createObject(client, KEX_RESOURCE, kex('patchy'), ns);
  const merged = await patchObject(client, KEX_RESOURCE, { namespace: ns, name: 'patchy' }, { metadata: { labels: { a: 'b' } }, spec: { x: 1 } }, { type: 'merge' });
  t.is(merged.metadata.labels!.a, 'b');
  t.deepEqual(merged.spec, { field: 'value', x: 1 });
  const status = await patchObject(client, KEX_RESOURCE, { namespace: ns, name: 'patchy' }, { status: { ok: true }, spec: { ignored: true } }, { type: 'merge', subresource: 'status' });
  t.deepEqual(status.status, { ok: true });
  t.is((status.spec as Record<string, unknown>).ignored, undefined, 'the status subresource ignores spec');
  const jsonOk = await patchObject(
    client,
    KEX_RESOURCE,
    { namespace: ns, name: 'patchy' },
    [{ op: 'test', path: '/metadata/resourceVersion', value: status.metadata.resourceVersion }, { op: 'add', path: '/metadata/finalizers', value: ['x/y'] }],
    { type: 'json' },
  );
  t.deepEqual(jsonOk.metadata.finalizers, ['x/y']);
  const stale = patchObject(
    client,
    KEX_RESOURCE,
    { namespace: ns, name: 'patchy' },
    [{ op: 'test', path: '/metadata/resourceVersion', value: created.metadata.resourceVersion }, { op: 'remove', path: '/metadata/finalizers' }],
    { type: 'json' },
  );
  await t.throwsAsync(stale, { instanceOf: ApiUnprocessableError });
  await patchObject(client, KEX_RESOURCE, { namespace: ns, name: 'patchy' }, { metadata: { finalizers: null } }, { type: 'merge' });
  await deleteObject(client, KEX_RESOURCE, { namespace: ns, name: 'patchy' });
});

test('errors are typed: 404 and 409', async (t) => {
  const ns = cluster.namespace;
  await t.throwsAsync(getObject(client, KEX_RESOURCE, { namespace: ns, name: 'absent' }), { instanceOf: ApiNotFoundError });
  t.is(await getObject(client, KEX_RESOURCE, { namespace: ns, name: 'absent' }).catch(ignoreNotFound), undefined);
  await createObject(client, KEX_RESOURCE, kex('twice'), ns);
  const err = await t.throwsAsync(createObject(client, KEX_RESOURCE, kex('twice'), ns), { instanceOf: ApiConflictError });
  t.is(err?.status, 409);
  t.is(err?.reason, 'AlreadyExists');
});

test('requests are counted by verb and resource', async (t) => {
  const fresh = kubeClient(cluster);
  const ns = cluster.namespace;
  await createObject(fresh, KEX_RESOURCE, kex('counted'), ns);
  await getObject(fresh, KEX_RESOURCE, { namespace: ns, name: 'counted' });
  await patchObject(fresh, KEX_RESOURCE, { namespace: ns, name: 'counted' }, { status: { a: 1 } }, { type: 'merge', subresource: 'status' });
  t.deepEqual(fresh.stats(), { 'create kopfexamples': 1, 'get kopfexamples': 1, 'patch kopfexamples/status': 1 });
  t.is(fresh.count(['patch', 'create']), 2);
  await fresh.close();
});

test('the rate limiter holds requests to qps after the burst', async (t) => {
  const slow = kubeClient(cluster, { qps: 10, burst: 2 });
  const started = Date.now();
  await Promise.all(Array.from({ length: 6 }, () => getObject(slow, KEX_RESOURCE, { namespace: cluster.namespace, name: 'absent' }).catch(ignoreNotFound)));
  const elapsed = Date.now() - started;
  t.true(elapsed >= 350, `6 requests at 10 qps with a burst of 2 took ${elapsed} ms (≥ 400 ms expected, minus jitter)`);
  await slow.close();
});

test.serial('requestTimeout aborts a request that takes longer; a finished request keeps no timer or signal', async (t) => {
  // A WATCH read as a plain request never ends by itself: the timeout is what ends it.
  const slow = kubeClient(cluster, { requestTimeout: 1, errorBackoffs: [] });
  const started = Date.now();
  const err = await t.throwsAsync(slow.request({ method: 'GET', path: `/api/v1/namespaces/${cluster.namespace}/configmaps`, query: { watch: true } }));
  t.true(err instanceof ApiConnectionError, String(err));
  t.true(Date.now() - started >= 1000 && Date.now() - started < 10_000, `ended after ${Date.now() - started} ms`);
  await slow.close();
  // Each request's timeout (300 s by default) is released with its response, not kept until it would fire:
  // no AbortSignal per request stays alive (v8.queryObjects collects garbage first, then counts).
  const signals = (): number => v8.queryObjects(AbortSignal, { format: 'count' });
  const before = signals();
  for (let i = 0; i < 30; i++) await client.request({ method: 'GET', path: `/api/v1/namespaces/${cluster.namespace}` });
  t.true(signals() - before < 5, `live AbortSignals: ${before} → ${signals()} after 30 requests`);
});
