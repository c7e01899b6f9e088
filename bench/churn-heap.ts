// Churn rounds (issue 16) against a real control plane with the operator in-process; after each
// round a forced GC and the heap's self sizes by constructor, to find what grows per lifecycle.
// Run: node --expose-gc --import tsx bench/churn-heap.ts [N per round] (default 300). Not a test.
import v8 from 'node:v8';
import * as kopf from '../src/index.ts';
import { createObject, deleteObject, patchObject, listObjects } from '../src/kube/objects.ts';
import { testCluster, eventually } from '../test/helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../test/helpers/kube.ts';
import { quietLogger } from '../test/helpers/logger.ts';

kopf.on.create('kopfexamples', async function create_fn() { return { message: 'created' }; });
kopf.on.update('kopfexamples', async function update_fn({ spec }) { return { round: (spec as any).round ?? null }; });
kopf.on.delete('kopfexamples', async function delete_fn() { return null; });

const cluster = await testCluster('leak-probe');
const user = kubeClient(cluster, { qps: 1000, burst: 1000 });
const stop = new AbortController();
let ready = false;
const op = kopf.operator({ kubeconfig: cluster.kubeconfigPath, namespaces: [cluster.namespace], signal: stop.signal, onReady: () => (ready = true), logger: quietLogger() });
await eventually(() => ready, 'ready');
const ns = cluster.namespace;
const n = Number(process.argv[2] ?? 300);
const counts = (): Promise<Map<string, number>> => {
  (globalThis as any).gc(); (globalThis as any).gc();
  const snap = v8.getHeapSnapshot();
  // Parse the snapshot stream enough to count nodes by name for objects.
  return new Promise<Map<string, number>>((resolve) => {
    const chunks: Buffer[] = [];
    snap.on('data', (c: Buffer) => chunks.push(c));
    snap.on('end', () => {
      const data = JSON.parse(Buffer.concat(chunks).toString());
      const fields = data.snapshot.meta.node_fields as string[];
      const types = data.snapshot.meta.node_types[0] as string[];
      const nf = fields.length, ti = fields.indexOf('type'), ni = fields.indexOf('name'), si = fields.indexOf('self_size');
      const m = new Map<string, number>();
      for (let i = 0; i < data.nodes.length; i += nf) {
        const type = types[data.nodes[i + ti]];
        if (type !== 'object' && type !== 'closure' && type !== 'array' && type !== 'string') continue;
        const name = type === 'string' ? '(string)' : type === 'closure' ? `closure ${data.strings[data.nodes[i + ni]]}` : data.strings[data.nodes[i + ni]];
        m.set(name, (m.get(name) ?? 0) + data.nodes[i + si]);
      }
      resolve(m);
    });
  });
};
let prev = await counts();
for (let round = 1; round <= 3; round++) {
  const names = Array.from({ length: n }, (_, i) => `r${round}-${i}`);
  await Promise.all(names.map((nm) => createObject(user, KEX_RESOURCE, kex(nm, { round: 0 }), ns)));
  await eventually(async () => (await listObjects(user, KEX_RESOURCE, { namespace: ns })).items.filter((o) => (o.status as any)?.create_fn).length === n, 'created', 120_000);
  await Promise.all(names.map((nm) => patchObject(user, KEX_RESOURCE, { namespace: ns, name: nm }, { spec: { round: 1 } }, { type: 'merge' })));
  await eventually(async () => (await listObjects(user, KEX_RESOURCE, { namespace: ns })).items.filter((o) => (o.status as any)?.update_fn?.round === 1).length === n, 'updated', 120_000);
  await Promise.all(names.map((nm) => deleteObject(user, KEX_RESOURCE, { namespace: ns, name: nm })));
  await eventually(async () => (await listObjects(user, KEX_RESOURCE, { namespace: ns })).items.length === 0, 'deleted', 120_000);
  await new Promise((r) => setTimeout(r, 2000));
  const now = await counts();
  const diffs = [...now].map(([k, v]) => [k, v - (prev.get(k) ?? 0)] as [string, number]).sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`round ${round}: heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MiB; grew most:`, diffs.map(([k, v]) => `${k}:${(v / 1024).toFixed(0)}K`).join(', '));
  prev = now;
}
stop.abort();
await op;
await user.close();
await cluster.close();
process.exit(0);
