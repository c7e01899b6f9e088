/**
 * An operator with admission handlers (a fixture under test/fixtures/admission/) run by KopfRunner as `kopf-ts run`
 * would, serving the test file's namespace with managed webhook configurations named after it
 * (`ADMISSION_MANAGED`); `close()` stops it, deletes those cluster-wide configurations and closes the cluster.
 * Used by test/admission/*.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, type TestCluster } from './cluster.ts';
import { kubectl } from './kubectl.ts';

/** A running admission operator and its test cluster. */
export interface AdmissionOperator {
  cluster: TestCluster;
  namespace: string;
  kubeconfig: string;
  /** The managed configurations' name. */
  managed: string;
  runner: KopfRunner;
  /** Stops the operator (its exit code), deletes the managed configurations, closes the cluster. */
  close(): Promise<number | null>;
}

/** Starts `fixture` (a file name under test/fixtures/admission/) with more `kopf-ts run` args and environment. */
export async function startAdmissionOperator(
  testFile: string,
  fixture: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<AdmissionOperator> {
  const cluster = await testCluster(testFile);
  const namespace = cluster.namespace;
  const kubeconfig = cluster.kubeconfigPath;
  const managed = `${namespace}.kopf.test`;
  const operator = fileURLToPath(new URL(`../fixtures/admission/${fixture}`, import.meta.url));
  const runner = new KopfRunner(['run', '--standalone', '-n', namespace, ...(options.args ?? []), operator], {
    env: { ...process.env, KUBECONFIG: kubeconfig, ADMISSION_MANAGED: managed, ...options.env },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
  return {
    cluster,
    namespace,
    kubeconfig,
    managed,
    runner,
    close: async () => {
      try {
        return await runner.stop();
      } finally {
        await kubectl(kubeconfig, [
          'delete',
          'validatingwebhookconfiguration,mutatingwebhookconfiguration',
          managed,
          '--ignore-not-found',
        ]);
        await cluster.close();
      }
    },
  };
}
