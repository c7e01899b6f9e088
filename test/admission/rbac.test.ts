// `kopf-ts rbac` for an operator with admission handlers (test/fixtures/admission/watched.ts), against the real
// control plane: the generated roles include create/patch of the webhook configurations, and are enough for the
// operator, run with only its ServiceAccount's token, to create, fill and clean up its managed configurations
// (the API server then calls its webhooks); without `create`, the start fails naming the missing permission.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, KOPFEXAMPLES } from '../helpers/cluster.ts';
import { kexYaml, kubectl } from '../helpers/kubectl.ts';
import { logMessages } from '../helpers/logger.ts';
import {
  kopfTsRbac,
  mintToken,
  withoutVerb,
  writeTokenKubeconfig,
  yamlDocs,
} from '../helpers/service-account.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/admission/watched.ts', import.meta.url));

test('the generated RBAC is enough for managed webhook configurations, and names what is missing', async (t) => {
  const cluster = await testCluster(import.meta.filename);
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-admission-rbac-'));
  const grant = async (
    namespace: string,
    edit: (y: string) => string = (y) => y,
  ): Promise<{ yaml: string; kubeconfig: string }> => {
    if (namespace !== cluster.namespace)
      await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
    const yaml = await kopfTsRbac(cluster, [OPERATOR, '-n', namespace, '--name', namespace]);
    await cluster.apply(edit(yaml));
    const kubeconfig = join(dir, `${namespace}.kubeconfig`);
    writeTokenKubeconfig(cluster, kubeconfig, await mintToken(cluster, namespace, namespace), namespace);
    return { yaml, kubeconfig };
  };
  const runAs = (namespace: string, kubeconfig: string): KopfRunner => {
    const env: NodeJS.ProcessEnv = { ...process.env, ADMISSION_MANAGED: `${namespace}.kopf.test` };
    delete env.KUBECONFIG;
    return new KopfRunner(['run', '--standalone', '-n', namespace, '--kubeconfig', kubeconfig, OPERATOR], {
      env,
    }).start();
  };
  const ns = cluster.namespace;
  const short = `${ns}-short`;
  try {
    const { yaml, kubeconfig } = await grant(ns);
    const role = yamlDocs(yaml).find((d) => d.kind === 'ClusterRole');
    t.deepEqual(
      role.rules.find((r: { apiGroups: string[] }) => r.apiGroups[0] === 'admissionregistration.k8s.io'),
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
        verbs: ['create', 'patch'],
      },
    );
    const op = runAs(ns, kubeconfig);
    try {
      await op.waitFor(/Reconfiguring the mutating webhook/, 60_000);
      t.is(
        (await kubectl(cluster.kubeconfigPath, ['apply', '-n', ns, '-f', '-'], kexYaml('granted', 'x'))).code,
        0,
      );
      const stored = await cluster.custom.getNamespacedCustomObject({
        ...KOPFEXAMPLES,
        namespace: ns,
        name: 'granted',
      });
      t.is(stored.metadata.labels.stamped, 'yes');
    } finally {
      t.is(await op.stop(), 0, op.output.slice(-3000));
    }
    t.regex(op.output, /Cleaning up the mutating webhook/);
    t.notRegex(logMessages(op.output), /\b403\b|[Ff]orbidden/);

    // Without `create` of the configurations: the start fails, naming what is missing.
    const shortGrant = await grant(short, (y) => withoutVerb(y, 'validatingwebhookconfigurations', 'create'));
    const denied = runAs(short, shortGrant.kubeconfig);
    await denied.waitFor(
      /Not enough RBAC permissions to create the ValidatingWebhookConfiguration "[^"]+\.kopf\.test"/,
      60_000,
    );
    t.not(await denied.stop(), 0);
  } finally {
    for (const namespace of [ns, short])
      await kubectl(cluster.kubeconfigPath, [
        'delete',
        'validatingwebhookconfiguration,mutatingwebhookconfiguration',
        `${namespace}.kopf.test`,
        '--ignore-not-found',
      ]);
    await cluster.close();
  }
});
