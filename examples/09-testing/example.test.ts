// Example 09's own test, as Kopf's test_example_09.py: KopfRunner runs the operator (with settings) in the
// background while the test creates and deletes the object; then the exit code and the output are checked.
// Kopf's sleeps are waits with deadlines here, and the operator serves the test's own namespace, not -A.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from 'kopf-ts/testing';
import { OBJ_YAML, literal } from '../../test/helpers/example.ts';
import { eventually, KOPFEXAMPLES, testCluster } from '../../test/helpers/cluster.ts';

const operator = fileURLToPath(new URL('./operator.ts', import.meta.url));

test('resource lifecycle', async (t) => {
  const cluster = await testCluster(import.meta.filename);
  const ns = cluster.namespace;
  // As Kopf's test: shorter server-side watch timeouts.
  const runner = new KopfRunner(['run', '-n', ns, '--verbose', '--standalone', operator], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    settings: { watching: { serverTimeout: 10 } },
  }).start();
  try {
    await runner.ready();
    await cluster.apply(OBJ_YAML);
    await runner.waitFor(literal(`[${ns}/kopf-example-1] Something was logged here.`));
    await runner.waitFor(literal(`[${ns}/kopf-example-1] Creation is processed: 1 succeeded; 0 failed.`));
    await cluster.custom.deleteNamespacedCustomObject({
      ...KOPFEXAMPLES,
      namespace: ns,
      name: 'kopf-example-1',
    });
    await eventually(
      async () =>
        (await cluster.custom.listNamespacedCustomObject({ ...KOPFEXAMPLES, namespace: ns })).items.length ===
        0,
      'the object to be gone',
    );
  } finally {
    t.is(await runner.stop(), 0);
    await cluster.close();
  }
  // The operator did not die on start or during the operation.
  t.is(runner.exitCode, 0);
  t.true(runner.output.includes(`[${ns}/kopf-example-1] Creation is in progress:`), runner.output);
  t.true(runner.output.includes(`[${ns}/kopf-example-1] Something was logged here.`));
  t.notRegex(runner.output, /Traceback|Unhandled|uncaught/i);
});
