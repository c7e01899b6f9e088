/**
 * A control plane of its own with the example CRD and Kopf's peering manifest applied (the CRDs and the
 * `default` peering objects), for the peering tests (test/peering/, examples/06-peering). Not the run's shared
 * plane: a ClusterKopfPeering `default` there would make every cluster-wide operator of the other test files
 * peer with each other (same priority: all pause).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startControlPlane, type ControlPlane } from '../../src/cluster/index.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadConnection } from '../../src/kube/config.ts';
import { applyManifests } from '../../src/kube/manifests.ts';
import { peeringManifest } from '../../src/peering/manifest.ts';
import { KopfRunner, type SettingsOverrides } from '../../src/testing.ts';
import { CRD_PATH } from './cluster.ts';

const BIN = fileURLToPath(new URL('../../bin/kopf-ts.js', import.meta.url));

/** A plane with the peering CRDs. */
export interface PeeringPlane {
  plane: ControlPlane;
  kubeconfigPath: string;
  /** A src/kube client of the test. */
  user: KubeClient;
  /** Environment for operators and commands on this plane. */
  env: NodeJS.ProcessEnv;
  /** Runs `kopf-ts ARGS...` on this plane (not started yet). */
  runner(args: string[], settings?: SettingsOverrides): KopfRunner;
  /** Runs a `kopf-ts` command to its end (e.g. freeze, resume); resolves with its output, rejects when it fails. */
  command(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the plane (with these feature gates) and applies examples/crd.yaml and peering.yaml. */
export async function peeringPlane(options: { featureGates?: string[] } = {}): Promise<PeeringPlane> {
  const plane = await startControlPlane(options.featureGates ? { featureGates: options.featureGates } : {});
  const kubeconfigPath = plane.kubeconfigPath;
  await applyManifests(kubeconfigPath, readFileSync(CRD_PATH, 'utf8'), 'default');
  await applyManifests(kubeconfigPath, peeringManifest(), 'default');
  const user = new KubeClient(loadConnection({ kubeconfig: kubeconfigPath }));
  const env = { ...process.env, KUBECONFIG: kubeconfigPath };
  return {
    plane,
    kubeconfigPath,
    user,
    env,
    runner: (args, settings) =>
      new KopfRunner(args, {
        env,
        echo: process.env.KOPF_TS_TEST_ECHO === '1',
        ...(settings ? { settings } : {}),
      }),
    command: async (args) => {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
      return stdout + stderr;
    },
    stop: async () => {
      await user.close();
      await plane.stop();
    },
  };
}
