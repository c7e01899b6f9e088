// `kopf-ts rbac` against the real control plane: the generated ServiceAccount and roles are enough for an
// operator (create, update on the pool, delete, Events) run with only that account's minted token; and with
// one permission taken away, the operator names the forbidden verb and resource in its log and keeps serving.
// Each test has a namespace of its own (they run at once, each with its own operator).
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, KOPFEXAMPLES, type TestCluster } from '../helpers/cluster.ts';
import { kex } from '../helpers/kube.ts';
import { logMessages } from '../helpers/logger.ts';
import {
  kopfTsRbac,
  mintToken,
  withoutVerb,
  writeTokenKubeconfig,
  yamlDocs,
} from '../helpers/service-account.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/cli/rbac-operator.ts', import.meta.url));

let cluster: TestCluster;
const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-rbac-'));
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** A fresh namespace, the operator's RBAC generated for it (and edited by `edit`) and applied. */
async function granted(
  suffix: string,
  edit: (yaml: string) => string = (y) => y,
): Promise<{ namespace: string; yaml: string; kubeconfig: string }> {
  const namespace = `${cluster.namespace}-${suffix}`;
  await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  const yaml = await kopfTsRbac(cluster, [OPERATOR, '-n', namespace, '--name', namespace]);
  await cluster.apply(edit(yaml));
  const kubeconfig = join(dir, `${suffix}.kubeconfig`);
  writeTokenKubeconfig(cluster, kubeconfig, await mintToken(cluster, namespace, namespace), namespace);
  return { namespace, yaml, kubeconfig };
}

/** The operator, run as that ServiceAccount only (no other credentials in its environment). */
async function runAs(namespace: string, kubeconfig: string): Promise<KopfRunner> {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const runner = new KopfRunner(
    ['run', '--standalone', '-n', namespace, '--kubeconfig', kubeconfig, OPERATOR],
    { env },
  ).start();
  await runner.waitFor(/Watching kopfexamples/, 60_000);
  return runner;
}

/** Runs `body` with the operator serving a fresh namespace as its ServiceAccount; stops it (exit code 0) after. */
async function withOperator(
  t: ExecutionContext,
  suffix: string,
  edit: ((yaml: string) => string) | undefined,
  body: (op: KopfRunner, namespace: string, yaml: string) => Promise<void>,
): Promise<void> {
  const { namespace, yaml, kubeconfig } = await granted(suffix, edit);
  const op = await runAs(namespace, kubeconfig);
  try {
    await body(op, namespace, yaml);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
  }
}

/** Waits for `status[field]` of a KopfExample. */
const resultOf = async (namespace: string, name: string, field: string): Promise<unknown> =>
  await eventually(
    async () => (await getKex(namespace, name)).status?.[field],
    `status.${field} of ${name}`,
    30_000,
  );

const getKex = async (namespace: string, name: string): Promise<any> =>
  await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
const createKex = async (namespace: string, name: string, field: string): Promise<void> => {
  await cluster.custom.createNamespacedCustomObject({
    ...KOPFEXAMPLES,
    namespace,
    body: kex(name, { field }),
  });
};
const patchSpec = async (namespace: string, name: string, field: string): Promise<void> => {
  await cluster.objects.patch(
    { ...kex(name, { field }), metadata: { name, namespace } },
    undefined,
    undefined,
    undefined,
    undefined,
    'application/merge-patch+json' as never,
  );
};
const events = async (namespace: string, name: string): Promise<string[]> =>
  (
    await cluster.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })
  ).items.map((e) => `${e.reason}: ${e.message}`);
const deleteAndWaitGone = async (namespace: string, name: string): Promise<void> => {
  await cluster.custom.deleteNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
  await eventually(
    async () =>
      getKex(namespace, name).then(
        () => false,
        (err: { code?: number }) => err.code === 404,
      ),
    `${name} to be gone`,
    30_000,
  );
};

test('the generated role is exactly what the operator needs, and it is enough for every handler', async (t) => {
  await withOperator(t, 'full', undefined, async (op, namespace, yaml) => {
    const docs = yamlDocs(yaml);
    t.deepEqual(
      docs.map((d) => d.kind),
      ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    );
    t.deepEqual(docs[1].rules, [
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['list', 'watch'],
      },
    ]);
    t.deepEqual(docs[3].rules, [
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['kopf.dev'], resources: ['kopfexamples'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['kopf.dev'], resources: ['kopfexamples/status'], verbs: ['patch'] },
    ]);
    await createKex(namespace, 'full-1', 'a');
    t.deepEqual(await resultOf(namespace, 'full-1', 'create_fn'), { created: 'full-1' });
    await eventually(
      async () => (await events(namespace, 'full-1')).includes('Greeted: Hello, full-1'),
      'the Event',
    );
    await patchSpec(namespace, 'full-1', 'b');
    t.deepEqual(
      await resultOf(namespace, 'full-1', 'update_fn'),
      { seen: 'b' },
      'a sync handler, on the pool',
    );
    await deleteAndWaitGone(namespace, 'full-1');
    await op.waitFor("Handler 'delete_fn' succeeded");
    t.notRegex(logMessages(op.output), /forbidden|unauthorized|\b40[13]\b/i);
  });
});

test('without patch on the status subresource: the log names the forbidden write, the operator keeps serving', async (t) => {
  const edit = (yaml: string): string => withoutVerb(yaml, 'kopfexamples/status', 'patch');
  await withOperator(t, 'nostatus', edit, async (op, namespace) => {
    await createKex(namespace, 'nostatus-1', 'a');
    const line = await op.waitFor(
      /ERROR: \[[^\]]*nostatus-1\] Reaction is forbidden by the API server .*/,
      30_000,
    );
    t.regex(line[0], /kopf-ts rbac/);
    t.regex(line[0], /cannot patch resource "kopfexamples\/status" in API group "kopf\.dev"/);
    // The rest of the reaction went through: the Event, the object's own patch (its diff-base).
    await eventually(
      async () => (await events(namespace, 'nostatus-1')).includes('Greeted: Hello, nostatus-1'),
      'the Event',
    );
    const diffBase = async (): Promise<unknown> =>
      (await getKex(namespace, 'nostatus-1')).metadata.annotations?.[
        'kopf.zalando.org/last-handled-configuration'
      ];
    await eventually(diffBase, 'the diff-base annotation');
    t.is((await getKex(namespace, 'nostatus-1')).status?.create_fn, undefined);
    // It keeps serving: an update (on the pool), a new object, a deletion (the finalizer released).
    await patchSpec(namespace, 'nostatus-1', 'b');
    await op.waitFor(/\[[^\]]*nostatus-1\] Handler 'update_fn' succeeded/, 30_000);
    await createKex(namespace, 'nostatus-2', 'c');
    await op.waitFor(/\[[^\]]*nostatus-2\] Handler 'create_fn' succeeded/, 30_000);
    await deleteAndWaitGone(namespace, 'nostatus-1');
    t.regex(op.output, /\[[^\]]*nostatus-1\] Handler 'delete_fn' succeeded/);
    t.is(op.exitCode, undefined, 'still running');
  });
});

test('without create on events: the log names the forbidden Event, every handler result still lands', async (t) => {
  const edit = (yaml: string): string => withoutVerb(yaml, 'events', 'create');
  await withOperator(t, 'noevents', edit, async (op, namespace) => {
    await createKex(namespace, 'noevents-1', 'a');
    t.deepEqual(await resultOf(namespace, 'noevents-1', 'create_fn'), { created: 'noevents-1' });
    const line = await op.waitFor(/Failed to post an event: 403 .*/, 30_000);
    t.regex(line[0], /cannot create resource "events" in API group "" in the namespace/);
    await patchSpec(namespace, 'noevents-1', 'b');
    t.deepEqual(await resultOf(namespace, 'noevents-1', 'update_fn'), { seen: 'b' });
    t.deepEqual(await events(namespace, 'noevents-1'), []);
  });
});
