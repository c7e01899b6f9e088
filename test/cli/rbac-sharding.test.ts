// `kopf-ts rbac --shards` against the real control plane: with the Lease rules it adds, an operator run with
// `--shards 2` as that ServiceAccount only holds its shards and handles an object; without them (the grant
// `kopf-ts rbac` gives by default) it is refused the Leases and says so.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, KOPFEXAMPLES, type TestCluster } from '../helpers/cluster.ts';
import { kex } from '../helpers/kube.ts';
import { kopfTsRbac, mintToken, writeTokenKubeconfig, yamlDocs } from '../helpers/service-account.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/cli/rbac-operator.ts', import.meta.url));

let cluster: TestCluster;
const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-rbac-sharding-'));
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** A fresh namespace with the generated RBAC applied; the operator run with `--shards 2` as its ServiceAccount. */
async function shardedAs(
  suffix: string,
  rbacArgs: string[],
): Promise<{ namespace: string; yaml: string; runner: KopfRunner }> {
  const namespace = `${cluster.namespace}-${suffix}`;
  await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  const yaml = await kopfTsRbac(cluster, [OPERATOR, '-n', namespace, '--name', namespace, ...rbacArgs]);
  await cluster.apply(yaml);
  const kubeconfig = join(dir, `${suffix}.kubeconfig`);
  writeTokenKubeconfig(cluster, kubeconfig, await mintToken(cluster, namespace, namespace), namespace);
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const runner = new KopfRunner(
    ['run', '--standalone', '-n', namespace, '--kubeconfig', kubeconfig, '--shards', '2', OPERATOR],
    { env },
  ).start();
  return { namespace, yaml, runner };
}

test('with --shards, the generated Role grants the Leases: the replica holds its shards and handles objects', async (t) => {
  const { namespace, yaml, runner } = await shardedAs('granted', ['--shards']);
  try {
    const role = yamlDocs(yaml).find((d) => d.kind === 'Role' && d.metadata.namespace === namespace);
    t.true(
      role.rules.some(
        (r: { resources: string[]; verbs: string[] }) =>
          r.resources.includes('leases') &&
          ['get', 'list', 'create', 'update'].every((v) => r.verbs.includes(v)),
      ),
      'a Lease rule in the namespace',
    );
    await runner.waitFor(/Sharding: holding 2 of 2 shards/, 60_000);
    await cluster.custom.createNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, body: kex('sharded') });
    await eventually(
      async () =>
        (
          (await cluster.custom.getNamespacedCustomObject({
            ...KOPFEXAMPLES,
            namespace,
            name: 'sharded',
          })) as any
        ).status?.create_fn,
      'the handler result',
      30_000,
    );
    t.notRegex(runner.output, /forbidden/i);
  } finally {
    t.is(await runner.stop(), 0, runner.output.slice(-2000));
  }
});

test('without --shards, the Leases are forbidden and the replica says so (it handles nothing)', async (t) => {
  const { runner } = await shardedAs('refused', []);
  try {
    await runner.waitFor(/forbidden/i, 60_000);
    t.false(runner.output.includes('Sharding: holding 1') || runner.output.includes('Sharding: holding 2'));
  } finally {
    await runner.stop();
  }
});
