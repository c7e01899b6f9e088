/**
 * Running an example operator (examples/NN-*\/operator.ts) against the real control plane, the way a user
 * would: `kopf-ts run --standalone -n <the test file's namespace> --verbose operator.ts` in a child process
 * (KopfRunner from kopf-ts/testing). Used by examples/NN-*\/example.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, type TestCluster, KOPFEXAMPLES, eventually } from './cluster.ts';

export const OBJ_YAML = readFileSync(fileURLToPath(new URL('../../examples/obj.yaml', import.meta.url)), 'utf8');

/** An example operator running against its own namespace. */
export interface RunningExample {
  cluster: TestCluster;
  runner: KopfRunner;
  namespace: string;
  /** `[namespace/name] ` as the operator's log lines prefix object messages. */
  prefix(name?: string): string;
  /** Reads a KopfExample of this namespace. */
  get(name?: string): Promise<any>;
  /** Deletes a KopfExample and waits until it is gone from the API. */
  deleteAndWaitGone(name?: string): Promise<void>;
  /** Stops the operator and the cluster handle; returns the operator's exit code. */
  close(): Promise<number | null>;
}

/** Starts the example's operator (path relative to the repository root) and waits until it watches. */
export async function runExample(testFile: string, operator: string, extraArgs: string[] = []): Promise<RunningExample> {
  const cluster = await testCluster(testFile);
  const namespace = cluster.namespace;
  const path = fileURLToPath(new URL(`../../${operator}`, import.meta.url));
  const runner = new KopfRunner(['run', '--standalone', '--verbose', '-n', namespace, ...extraArgs, path], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
  await runner.waitFor(/Watching kopfexamples/, 60_000);
  const get = async (name = 'kopf-example-1'): Promise<any> =>
    await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
  return {
    cluster,
    runner,
    namespace,
    prefix: (name = 'kopf-example-1') => `[${namespace}/${name}] `,
    get,
    deleteAndWaitGone: async (name = 'kopf-example-1') => {
      await cluster.custom.deleteNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
      await eventually(async () => {
        try {
          await get(name);
          return false;
        } catch (err) {
          return (err as { code?: number }).code === 404;
        }
      }, `${name} to be gone`, 30_000);
    },
    close: async () => {
      const code = await runner.stop();
      await cluster.close();
      return code;
    },
  };
}

/** Escapes a literal for a RegExp. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
