// How many API requests a handled change costs (docs/api-requests.md), counted by our client while the
// operator runs in-process against the real control plane. kopf-ts must never write more than Kopf 1.44.
import test from 'ava';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import * as kopf from '../../src/index.ts';
import { createObject, deleteObject, getObject, patchObject } from '../../src/kube/objects.ts';
import { ignoreNotFound } from '../../src/kube/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** Runs the default registry's operator in-process on the test's namespace; resolves once it is ready. */
async function inProcessOperator(
  settings?: kopf.OperatorSettings,
): Promise<{ client: KubeClient; stopOperator: () => Promise<void> }> {
  const client = kubeClient(cluster);
  const stop = new AbortController();
  let ready = false;
  const running = kopf.operator({
    client,
    ...(settings ? { settings } : {}),
    namespaces: [cluster.namespace],
    signal: stop.signal,
    onReady: () => (ready = true),
    logger: quietLogger(),
  });
  await eventually(() => ready, 'the operator to be ready');
  return {
    client,
    stopOperator: async () => {
      stop.abort();
      await running;
      await client.close();
    },
  };
}

/** Writes to the objects of the resource (their `/status` included); Events the operator posts are not counted. */
function writes(client: KubeClient): number {
  let total = 0;
  for (const [key, n] of Object.entries(client.stats())) {
    const [verb, resource] = key.split(' ');
    if (['patch', 'create', 'update', 'delete'].includes(verb!) && resource?.startsWith('kopfexamples'))
      total += n;
  }
  return total;
}

test.serial(
  'one create handler with a result: 2 writes (diff-base, status), then nothing more',
  async (t) => {
    const registry = new kopf.Registry();
    kopf.setDefaultRegistry(registry);
    kopf.on.create('kopfexamples', { labels: { case: 'one' } }, async function create_fn() {
      return { message: 'hello' };
    });
    const { client, stopOperator } = await inProcessOperator();
    const before = writes(client);
    const user = kubeClient(cluster);
    await createObject(
      user,
      KEX_RESOURCE,
      kex('one', { field: 'x' }, { labels: { case: 'one' } }),
      cluster.namespace,
    );
    await eventually(
      async () =>
        (await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'one' })).status
          ?.create_fn,
      'the result',
    );
    await eventually(() => writes(client) - before === 2, 'two writes', 5000);
    t.deepEqual(Object.fromEntries(Object.entries(client.stats()).filter(([k]) => k.startsWith('patch'))), {
      'patch kopfexamples': 1,
      'patch kopfexamples/status': 1,
    });
    // A change outside the essence (a status write by someone else) costs nothing.
    await patchObject(
      user,
      KEX_RESOURCE,
      { namespace: cluster.namespace, name: 'one' },
      { status: { other: 1 } },
      { type: 'merge', subresource: 'status' },
    );
    // The watch delivers events in order: once a later object is handled, the status event was seen too.
    await createObject(
      user,
      KEX_RESOURCE,
      kex('two', { field: 'y' }, { labels: { case: 'one' } }),
      cluster.namespace,
    );
    await eventually(
      async () =>
        (await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'two' })).status
          ?.create_fn,
      'the second result',
    );
    await eventually(() => writes(client) - before === 4, 'two more writes for the second object only', 5000);
    t.is(writes(client) - before, 4);
    await stopOperator();
    await user.close();
  },
);

test.serial('create + update + delete handlers: 2 writes to create, 1 per update, 1 to delete', async (t) => {
  const registry = new kopf.Registry();
  kopf.setDefaultRegistry(registry);
  kopf.on.create('kopfexamples', { labels: { case: 'life' } }, async function on_create() {});
  kopf.on.update('kopfexamples', { labels: { case: 'life' } }, async function on_update() {});
  kopf.on.delete('kopfexamples', { labels: { case: 'life' } }, async function on_delete() {});
  const { client, stopOperator } = await inProcessOperator();
  const user = kubeClient(cluster);
  const ns = cluster.namespace;
  const w0 = writes(client);
  await createObject(user, KEX_RESOURCE, kex('life', { field: 'a' }, { labels: { case: 'life' } }), ns);
  const handled = (body: any): boolean =>
    Boolean(
      body.metadata.annotations?.['kopf.zalando.org/last-handled-configuration']?.includes(
        `"field":"${'a'}"`,
      ),
    );
  await eventually(
    async () => handled(await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'life' })),
    'creation handled',
  );
  await eventually(() => writes(client) - w0 === 2, 'two writes for creation', 5000);
  const w1 = writes(client);
  await patchObject(
    user,
    KEX_RESOURCE,
    { namespace: ns, name: 'life' },
    { spec: { field: 'b' } },
    { type: 'merge' },
  );
  await eventually(
    async () =>
      (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'life' })).metadata.annotations?.[
        'kopf.zalando.org/last-handled-configuration'
      ]?.includes('"field":"b"'),
    'update handled',
  );
  await eventually(() => writes(client) - w1 === 1, 'one write for the update', 20_000);
  const w2 = writes(client);
  await deleteObject(user, KEX_RESOURCE, { namespace: ns, name: 'life' });
  await eventually(
    async () =>
      (await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'life' }).catch(ignoreNotFound)) ===
      undefined,
    'the object gone',
  );
  t.is(writes(client) - w2, 1, 'one write (the finalizer removal) for the deletion');
  await stopOperator();
  await user.close();
});

test.serial(
  'with the diff-base in status, one create handler with a result costs 1 write (the /status patch)',
  async (t) => {
    const registry = new kopf.Registry();
    kopf.setDefaultRegistry(registry);
    kopf.on.create('kopfexamples', { labels: { case: 'status-diffbase' } }, async function create_fn() {
      return { message: 'hello' };
    });
    const settings = kopf.defaultSettings();
    settings.persistence.diffbaseStorage = new kopf.StatusDiffBaseStorage();
    const { client, stopOperator } = await inProcessOperator(settings);
    const before = writes(client);
    const patchesBefore = client.stats();
    const user = kubeClient(cluster);
    const ns = cluster.namespace;
    await createObject(
      user,
      KEX_RESOURCE,
      kex('in-status', { field: 'x' }, { labels: { case: 'status-diffbase' } }),
      ns,
    );
    const body = await eventually(async () => {
      const b: any = await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'in-status' });
      return b.status?.kopf?.['last-handled-configuration'] ? b : undefined;
    }, 'the diff-base in status');
    t.deepEqual(body.status?.create_fn, { message: 'hello' });
    t.is(
      body.status.kopf['last-handled-configuration'],
      '{"spec":{"field":"x"},"metadata":{"labels":{"case":"status-diffbase"}}}',
    );
    t.is(
      body.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'],
      undefined,
      'no diff-base annotation',
    );
    // The same created object that costs 2 writes with the default storage (the first test) costs 1 here.
    await eventually(() => writes(client) - before >= 1, 'the write');
    // A later object handled by the same operator shows that nothing else was written meanwhile.
    await createObject(
      user,
      KEX_RESOURCE,
      kex('in-status-2', { field: 'y' }, { labels: { case: 'status-diffbase' } }),
      ns,
    );
    await eventually(
      async () =>
        ((await getObject(user, KEX_RESOURCE, { namespace: ns, name: 'in-status-2' })) as any).status?.kopf?.[
          'last-handled-configuration'
        ],
      'the second object handled',
    );
    await eventually(() => writes(client) - before === 2, 'one write per object', 5000);
    const after = client.stats();
    t.is(
      (after['patch kopfexamples/status'] ?? 0) - (patchesBefore['patch kopfexamples/status'] ?? 0),
      2,
      'one /status patch per object',
    );
    t.is(
      (after['patch kopfexamples'] ?? 0) - (patchesBefore['patch kopfexamples'] ?? 0),
      0,
      'no patch of the object itself',
    );
    await stopOperator();
    await user.close();
  },
);

test.serial(
  'three create handlers with results: one durable write per handler that finishes before its siblings, then the final two',
  async (t) => {
    const registry = new kopf.Registry();
    kopf.setDefaultRegistry(registry);
    for (const id of ['first_fn', 'second_fn', 'third_fn']) {
      kopf.on.create('kopfexamples', { id, labels: { case: 'three' } }, async () => ({ by: id }));
    }
    const { client, stopOperator } = await inProcessOperator();
    const before = writes(client);
    const user = kubeClient(cluster);
    await createObject(
      user,
      KEX_RESOURCE,
      kex('three', { field: 'x' }, { labels: { case: 'three' } }),
      cluster.namespace,
    );
    const done = await eventually(async () => {
      const body = await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'three' });
      return body.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'] ? body : null;
    }, 'the change handled');
    // first_fn and second_fn: their result with their mark (1 status patch each); third_fn: its result with the
    // marks (status), then the diff-base which spends them (object): 4 in all, where one handler costs 2.
    await eventually(() => writes(client) - before === 4, 'four writes', 5000);
    t.deepEqual(Object.fromEntries(Object.entries(client.stats()).filter(([k]) => k.startsWith('patch'))), {
      'patch kopfexamples': 1,
      'patch kopfexamples/status': 3,
    });
    t.deepEqual(done.status?.first_fn, { by: 'first_fn' });
    t.deepEqual(done.status?.third_fn, { by: 'third_fn' });
    await stopOperator();
    await user.close();
  },
);

test.serial(
  'the bench lifecycle (results on create and update, none on delete): 3 + 2 + 1 writes, the marks never cost one',
  async (t) => {
    const registry = new kopf.Registry();
    kopf.setDefaultRegistry(registry);
    kopf.on.create('kopfexamples', { labels: { case: 'bench' } }, async function create_fn() {
      return { message: 'created' };
    });
    kopf.on.update('kopfexamples', { labels: { case: 'bench' } }, async function update_fn({ spec }) {
      return { field: (spec as { field?: string }).field ?? null };
    });
    kopf.on.delete('kopfexamples', { labels: { case: 'bench' } }, async function delete_fn() {
      return null;
    });
    const { client, stopOperator } = await inProcessOperator();
    const user = kubeClient(cluster);
    const ns = cluster.namespace;
    const ref = { namespace: ns, name: 'bench' };
    const diffBaseHas = async (value: string): Promise<boolean> =>
      Boolean(
        (await getObject(user, KEX_RESOURCE, ref)).metadata.annotations?.[
          'kopf.zalando.org/last-handled-configuration'
        ]?.includes(`"field":"${value}"`),
      );
    const w0 = writes(client);
    await createObject(user, KEX_RESOURCE, kex('bench', { field: 'a' }, { labels: { case: 'bench' } }), ns);
    await eventually(() => diffBaseHas('a'), 'creation handled');
    await eventually(() => writes(client) - w0 === 3, 'finalizer, results, diff-base', 5000);
    await patchObject(user, KEX_RESOURCE, ref, { spec: { field: 'b' } }, { type: 'merge' });
    await eventually(() => diffBaseHas('b'), 'update handled');
    await eventually(() => writes(client) - w0 === 5, 'results, diff-base', 5000);
    await deleteObject(user, KEX_RESOURCE, ref);
    await eventually(
      async () =>
        await getObject(user, KEX_RESOURCE, ref).then(
          () => false,
          (err: unknown) => ignoreNotFound(err) === undefined,
        ),
      'gone',
    );
    // Deletion: only the finalizer's removal (no result; the update's marks are left alone, not cleared).
    await eventually(() => writes(client) - w0 === 6, 'the finalizer released', 5000);
    t.is(writes(client) - w0, 6, "2 per change, as Kopf's 6");
    await stopOperator();
    await user.close();
  },
);
