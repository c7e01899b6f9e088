/**
 * Finds (or builds) the kube-apiserver and etcd binaries of the local control plane.
 *
 * Called by control-plane.ts before every start, and by `kopf-ts cluster build`. Resolution order:
 * TEST_ASSET_KUBE_APISERVER/TEST_ASSET_ETCD, KUBEBUILDER_ASSETS, our cache
 * (~/.cache/kopf-ts/control-plane/<k8s>_<etcd>_<go>/), setup-envtest's store, and otherwise a build from
 * the Go module proxy by tools/control-plane/build.sh (which locks, shows progress and publishes atomically).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kubernetes version kopf-ts builds and tests against. */
export const KUBERNETES_VERSION = 'v1.36.3';

/** Where the two binaries were found, and how. */
export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  source: 'TEST_ASSET_*' | 'KUBEBUILDER_ASSETS' | 'cache' | 'setup-envtest' | 'built';
}

/** Options of {@link findBinaries}. */
export interface FindBinariesOptions {
  /** Build when nothing is found (default true). */
  build?: boolean;
  /** Where build progress goes (default: process.stderr). */
  progress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

// The package's root: this file is src/cluster/binaries.ts in a checkout, dist/src/cluster/binaries.js when installed.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), ...(import.meta.url.endsWith('.ts') ? ['..', '..'] : ['..', '..', '..']));
/** The builder module shipped in the repository and in the package. */
export const BUILD_SCRIPT = join(packageRoot, 'tools', 'control-plane', 'build.sh');

/** The cache root: $KOPF_TS_CONTROL_PLANE_CACHE or ${XDG_CACHE_HOME:-~/.cache}/kopf-ts/control-plane. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KOPF_TS_CONTROL_PLANE_CACHE) return env.KOPF_TS_CONTROL_PLANE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kopf-ts', 'control-plane');
}

function isExecutable(path: string): boolean {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function pairIn(dir: string): { kubeApiserver: string; etcd: string } | null {
  const kubeApiserver = join(dir, 'kube-apiserver');
  const etcd = join(dir, 'etcd');
  return isExecutable(kubeApiserver) && isExecutable(etcd) ? { kubeApiserver, etcd } : null;
}

/** Cache directories of our own builds for the pinned Kubernetes version, newest Go first. */
function cachedDirs(env: NodeJS.ProcessEnv): string[] {
  const root = cacheRoot(env);
  if (!existsSync(root)) return [];
  const prefix = KUBERNETES_VERSION.slice(1) + '_';
  return readdirSync(root)
    .filter((d) => d.startsWith(prefix) && !d.includes('.tmp.') && existsSync(join(root, d, 'BUILDINFO')))
    .sort()
    .reverse()
    .map((d) => join(root, d));
}

/** setup-envtest's store, where a Go developer may already have binaries of the same minor version. */
function envtestStoreDirs(env: NodeJS.ProcessEnv): string[] {
  const root = join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'kubebuilder-envtest', 'k8s');
  if (!existsSync(root)) return [];
  const minor = KUBERNETES_VERSION.slice(1).split('.').slice(0, 2).join('.') + '.';
  return readdirSync(root)
    .filter((d) => d.startsWith(minor) && d.includes('linux'))
    .map((d) => join(root, d));
}

/** Finds the binaries without building; null when none are found. Throws on a misconfigured env var. */
export function locateBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries | null {
  const { TEST_ASSET_KUBE_APISERVER: api, TEST_ASSET_ETCD: etcd, KUBEBUILDER_ASSETS: assets } = env;
  if (api || etcd) {
    if (!api || !etcd || !isExecutable(api) || !isExecutable(etcd)) {
      throw new Error(
        `TEST_ASSET_KUBE_APISERVER (${api ?? 'unset'}) and TEST_ASSET_ETCD (${etcd ?? 'unset'}) must both name executable files`,
      );
    }
    return { kubeApiserver: api, etcd, source: 'TEST_ASSET_*' };
  }
  if (assets) {
    const pair = pairIn(assets);
    if (!pair) throw new Error(`KUBEBUILDER_ASSETS=${assets} holds no executable kube-apiserver and etcd`);
    return { ...pair, source: 'KUBEBUILDER_ASSETS' };
  }
  for (const dir of cachedDirs(env)) {
    const pair = pairIn(dir);
    if (pair) return { ...pair, source: 'cache' };
  }
  for (const dir of envtestStoreDirs(env)) {
    const pair = pairIn(dir);
    if (pair) return { ...pair, source: 'setup-envtest' };
  }
  return null;
}

/** Runs tools/control-plane/build.sh and returns the directory it published. */
export async function buildBinaries(options: FindBinariesOptions = {}): Promise<string> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(line + '\n'));
  const env = { ...(options.env ?? process.env) };
  progress(`kopf-ts: no control-plane binaries found; building Kubernetes ${KUBERNETES_VERSION} from the Go module proxy`);
  return await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.startsWith('[control-plane build')) progress(line);
    });
    child.on('error', (e) => reject(new Error(`cannot run ${BUILD_SCRIPT}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve(out.trim().split('\n').pop() ?? '');
      const tail = err.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`building the control plane failed (exit ${code}):\n${tail}`));
    });
  });
}

/** Finds the binaries, building them if needed (unless `build: false`). */
export async function findBinaries(options: FindBinariesOptions = {}): Promise<ControlPlaneBinaries> {
  const env = options.env ?? process.env;
  const found = locateBinaries(env);
  if (found) return found;
  if (options.build === false) {
    throw new Error(
      'No kube-apiserver/etcd binaries found. Run `npm run build:control-plane` (needs Go >= 1.26), ' +
        'or set KUBEBUILDER_ASSETS, or TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD, or USE_EXISTING_CLUSTER=true.',
    );
  }
  const dir = await buildBinaries(options);
  const pair = pairIn(dir);
  if (!pair) throw new Error(`the control-plane build reported ${dir} but the binaries are not there`);
  return { ...pair, source: 'built' };
}
