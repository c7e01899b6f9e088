// Indexes against the real control plane, run as users run an operator (KopfRunner, `kopf-ts run`): an index
// over 2,000 objects that exist before the operator starts is complete before any change handler runs (every
// create handler, on the pool, sees all 2,000 values); the index follows label changes (a value moves to
// another key), filter changes (gone when the object stops matching) and deletions; excluded objects are not
// in it; plain handlers on the pool read it as an Index of Stores.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, rawRequest, KOPFEXAMPLES, type TestCluster } from '../helpers/cluster.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/indexing/operator.ts', import.meta.url));
const INDEXED = 2000;
const EXCLUDED = 10;

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

async function createAll(namespace: string): Promise<void> {
  const specs = [
    ...Array.from({ length: INDEXED }, (_, i) => ({
      name: `obj-${i}`,
      labels: { indexed: 'yes', group: i % 2 ? 'b' : 'a' },
    })),
    ...Array.from({ length: EXCLUDED }, (_, i) => ({
      name: `other-${i}`,
      labels: { indexed: 'no', group: 'a' },
    })),
  ];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < specs.length) {
      const { name, labels } = specs[next++]!;
      const body = { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name, labels }, spec: {} };
      await cluster.custom.createNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, body });
    }
  };
  await Promise.all(Array.from({ length: 40 }, worker));
}

async function patch(namespace: string, name: string, body: object): Promise<void> {
  const path = `/apis/kopf.dev/v1/namespaces/${namespace}/kopfexamples/${name}`;
  const res = await rawRequest(cluster.kc, 'PATCH', path, body, 'application/merge-patch+json');
  if (res.status >= 300) throw new Error(`PATCH ${name}: ${res.status} ${JSON.stringify(res.json)}`);
}

test('an index over 2,000 objects is complete before change handlers run, and follows changes', async (t) => {
  t.timeout(180_000);
  const namespace = cluster.namespace;
  const createdAt = Date.now();
  await createAll(namespace);
  t.log(`created ${INDEXED + EXCLUDED} objects in ${Date.now() - createdAt} ms`);

  const runner = new KopfRunner(['run', '--standalone', '-n', namespace, OPERATOR], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
  try {
    const startedAt = Date.now();
    // Every create handler (all 2,010 objects, the excluded ones too) saw the whole index.
    const results = await eventually(
      async () => {
        const list = (await cluster.custom.listNamespacedCustomObject({ ...KOPFEXAMPLES, namespace })) as {
          items: any[];
        };
        const done = list.items.filter((o) => o.status?.seen);
        return done.length === INDEXED + EXCLUDED ? done : null;
      },
      'every create handler to have run',
      150_000,
      500,
    );
    t.log(`all create handlers ran within ${Date.now() - startedAt} ms of the start`);
    const partial = results.filter((o) => o.status.seen.total !== INDEXED || o.status.seen.keys !== 2);
    t.deepEqual(
      partial.map((o) => `${o.metadata.name}: ${JSON.stringify(o.status.seen)}`),
      [],
      'no create handler ran before the index was complete',
    );

    let asked = 0;
    const ask = async (names: string[]): Promise<any> => {
      const n = ++asked;
      await patch(namespace, 'other-0', { spec: { ask: { n, names } } });
      return await eventually(
        async () => {
          const o: any = await cluster.custom.getNamespacedCustomObject({
            ...KOPFEXAMPLES,
            namespace,
            name: 'other-0',
          });
          return o.status?.answer?.asked === n ? o.status.answer : null;
        },
        `the answer ${n}`,
        30_000,
      );
    };

    const first = await ask(['obj-0', 'obj-1', 'other-1']);
    t.true(first.isIndex, 'a plain handler on the pool gets a kopf.Index');
    t.deepEqual(
      first.where,
      [
        ['obj-0', ['a']],
        ['obj-1', ['b']],
        ['other-1', []],
      ],
      'filtered-out objects are not indexed',
    );

    // A label change moves the value to another key; a filter mismatch and a deletion remove it.
    await patch(namespace, 'obj-0', { metadata: { labels: { group: 'b' } } });
    await patch(namespace, 'obj-2', { metadata: { labels: { indexed: 'no' } } });
    await cluster.custom.deleteNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name: 'obj-3' });
    await eventually(async () => {
      try {
        await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name: 'obj-3' });
        return false;
      } catch {
        return true;
      }
    }, 'obj-3 to be gone');
    const second = await ask(['obj-0', 'obj-2', 'obj-3']);
    t.deepEqual(second.where, [
      ['obj-0', ['b']],
      ['obj-2', []],
      ['obj-3', []],
    ]);
    t.is(second.total, INDEXED - 2);
    t.is(second.keys, 2);
  } finally {
    const code = await runner.stop();
    t.is(code, 0);
  }
  t.notRegex(runner.output, /Traceback|Unhandled|FATAL/i);
});
