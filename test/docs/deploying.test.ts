// docs/deploying.md cannot drift: every YAML block of it is accepted by a real API server
// (`kubectl apply --dry-run=server`), its RBAC block is exactly what `kopf-ts rbac` prints for the page's
// example with the command the page shows, and the Deployment runs as that ServiceAccount.
import { kubectlBinary } from '../helpers/kubectl.ts';
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testCluster, type TestCluster } from '../helpers/cluster.ts';
import { kopfTsRbac, yamlDocs } from '../helpers/service-account.ts';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/deploying.md', import.meta.url)), 'utf8');
const EXAMPLE = fileURLToPath(new URL('../../examples/01-minimal/operator.ts', import.meta.url));
const RBAC_ARGS = ['-A', '--name', 'kopf-example-operator', '--service-account-namespace', 'kopf-example'];
const yamlBlocks = [...DOC.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** Runs kubectl with `input` on stdin against the test cluster. */
async function kubectl(args: string[], input: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(kubectlBinary(), args, { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

test('the YAML blocks of docs/deploying.md pass a server-side dry run', async (t) => {
  t.true(yamlBlocks.length >= 2, 'the RBAC and the Deployment');
  await cluster.core.createNamespace({ body: { metadata: { name: 'kopf-example' } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  const { code, output } = await kubectl(['apply', '--dry-run=server', '-f', '-'], yamlBlocks.join('---\n'));
  t.is(code, 0, output);
  const kinds = yamlBlocks.flatMap((b) => yamlDocs(b)).map((d) => `${String(d.kind).toLowerCase()}`);
  t.deepEqual(kinds, ['serviceaccount', 'clusterrole', 'clusterrolebinding', 'deployment']);
  for (const kind of kinds) t.regex(output, new RegExp(`^${kind}[.a-z0-9]*/kopf-example-operator (created|configured|unchanged) \\(server dry run\\)$`, 'm'));
});

test('the RBAC block is what kopf-ts rbac prints for the example, with the command the page shows', async (t) => {
  t.true(DOC.includes(`npx kopf-ts rbac handlers.ts ${RBAC_ARGS.join(' ')} > rbac.yaml`));
  const rbac = yamlBlocks.find((b) => b.startsWith('# RBAC of the kopf-ts operator'));
  t.is(rbac, await kopfTsRbac(cluster, [EXAMPLE, ...RBAC_ARGS]));
  const deployment = yamlBlocks.flatMap((b) => yamlDocs(b)).find((d) => d.kind === 'Deployment');
  t.is(deployment.spec.template.spec.serviceAccountName, 'kopf-example-operator');
  t.is(deployment.metadata.namespace, 'kopf-example');
});

test("the Deployment's livenessProbe asks the port and path the image's --liveness serves", (t) => {
  const cmd = /^CMD (\[.*\])$/m.exec(DOC);
  t.truthy(cmd, 'the Dockerfile has a CMD');
  const args = JSON.parse(cmd![1]!) as string[];
  const url = new URL(args[args.indexOf('--liveness') + 1]!);
  const deployment = yamlBlocks.flatMap((b) => yamlDocs(b)).find((d) => d.kind === 'Deployment');
  const container = deployment.spec.template.spec.containers[0];
  const probe = container.livenessProbe.httpGet;
  t.is(probe.path, url.pathname);
  const port = container.ports.find((p: { name: string }) => p.name === probe.port);
  t.is(String(port.containerPort), url.port);
  t.is(url.hostname, '0.0.0.0', 'bound on all interfaces: the kubelet probes the pod IP');
});
