/**
 * A real local Kubernetes control plane: etcd + kube-apiserver on loopback, as controller-runtime's envtest.
 *
 * Called by the test harness (test/helpers/cluster.ts, test/run.ts), by `kopf-ts cluster up`, by the demo,
 * and by users through `startControlPlane()` in `kopf-ts/testing`. With USE_EXISTING_CLUSTER=true it starts
 * nothing and hands out the current kubeconfig.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinaries, type ControlPlaneBinaries } from './binaries.ts';
import { removeIfSame, writeNewPrivateFile } from './files.ts';
import { freePort } from './ports.ts';
import { startChild, stopChild, type Child } from './processes.ts';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /**
   * Write the kubeconfig here, with mode 0600 (default: inside the control plane's temporary directory). The file
   * must not exist yet: an existing file is never overwritten (the start fails at once). stop() removes it
   * if it is still the file written then. Its directory must exist.
   */
  kubeconfigPath?: string;
  /** Seconds to wait for /readyz (default 60, or KUBEBUILDER_CONTROLPLANE_START_TIMEOUT). */
  startTimeout?: number;
  /** kube-apiserver's --etcd-compaction-interval (default '5m'); tests of 410 Gone use a short one. */
  etcdCompactionInterval?: string;
  /** Extra kube-apiserver flags. */
  apiserverFlags?: string[];
  /**
   * Feature gates to enable (kube-apiserver's `--feature-gates=NAME=true,…`), e.g. `['ShardedListAndWatch']`
   * for server-side sharding (Kubernetes 1.36 alpha, KEP-5866). `cluster up --feature-gates` passes them.
   */
  featureGates?: string[];
  /** Build the binaries when none are found (default true). */
  build?: boolean;
  /** Progress lines (binary build, start); default: nothing. */
  progress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** A running control plane (or the existing cluster when USE_EXISTING_CLUSTER=true). */
export interface ControlPlane {
  kubeconfigPath: string;
  /** https://127.0.0.1:PORT, or the existing cluster's server. */
  server: string;
  /** The admin bearer token (empty for an existing cluster). */
  token: string;
  /** PEM CA bundle of the serving certificate (empty for an existing cluster). */
  ca: string;
  /** Whether this is an existing cluster that we did not start. */
  existing: boolean;
  /** The temporary directory (certs, data, logs), removed by stop(). */
  dir: string;
  binaries: ControlPlaneBinaries | null;
  /** Process ids of etcd and kube-apiserver. */
  pids: number[];
  /** Milliseconds from the call to readiness. */
  startedInMs: number;
  /**
   * Stops the processes it started (SIGTERM, then SIGKILL), removes the directory, and removes the kubeconfig
   * it wrote (only that file, and only if it was not replaced meanwhile). Idempotent.
   */
  stop(): Promise<void>;
}

function existingCluster(env: NodeJS.ProcessEnv): ControlPlane {
  const path = (env.KUBECONFIG ?? '').split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
  if (!existsSync(path)) throw new Error(`USE_EXISTING_CLUSTER=true but no kubeconfig at ${path}`);
  return {
    kubeconfigPath: path,
    server: '',
    token: '',
    ca: '',
    existing: true,
    dir: '',
    binaries: null,
    pids: [],
    startedInMs: 0,
    stop: async () => {},
  };
}

function lastPemBlock(bundle: string): string {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return (blocks[blocks.length - 1] ?? '') + '\n';
}

function getReadyz(port: number, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/readyz',
        method: 'GET',
        rejectUnauthorized: false, // the CA is only known once the server wrote it; this is loopback
        headers: { Authorization: `Bearer ${token}` },
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitHealthy(
  check: () => Promise<boolean>,
  children: Child[],
  deadline: number,
  what: string,
): Promise<void> {
  for (;;) {
    for (const child of children) {
      if (child.process.exitCode !== null || child.process.signalCode !== null) {
        throw new Error(`${child.name} exited early (code ${child.process.exitCode}); its last output:\n${child.tail()}`);
      }
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      const tails = children.map((c) => `--- ${c.name} (${c.logPath}):\n${c.tail()}`).join('\n');
      throw new Error(`${what} was not ready within the start timeout\n${tails}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function kubeconfigYaml(server: string, caPath: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kopf-ts-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${caPath}`,
    'users:',
    '- name: kopf-ts-admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: kopf-ts-local',
    '  context: {cluster: kopf-ts-local, user: kopf-ts-admin, namespace: default}',
    'current-context: kopf-ts-local',
    '',
  ].join('\n');
}

const DIR_PREFIX = 'kopf-ts-control-plane-';

/** Removes the directories of planes whose parent process died without stopping them (e.g. SIGKILL). */
function sweepStaleDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (owner && owner !== process.pid) {
        try {
          process.kill(owner, 0);
        } catch {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    } catch {
      // no owner file yet (starting) or not ours: leave it
    }
  }
}

async function startOnce(binaries: ControlPlaneBinaries, options: ControlPlaneOptions, t0: number): Promise<ControlPlane> {
  sweepStaleDirs();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const children: Child[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) await stopChild(child);
    children.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    mkdirSync(join(dir, 'certs'), { mode: 0o700 });
    const etcd = startChild(
      'etcd',
      binaries.etcd,
      [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      join(dir, 'etcd.log'),
    );
    children.push(etcd);

    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},kopf-ts-admin,kopf-ts-admin,"system:masters"\n`, { mode: 0o600 });

    const deadline = t0 + (options.startTimeout ?? Number(process.env.KUBEBUILDER_CONTROLPLANE_START_TIMEOUT ?? 60)) * 1000;
    await waitHealthy(
      async () => {
        const res = await fetch(`http://127.0.0.1:${etcdClient}/health`, { signal: AbortSignal.timeout(2000) });
        return res.ok && (await res.text()).includes('true');
      },
      children,
      deadline,
      'etcd',
    );

    const api = startChild(
      'kube-apiserver',
      binaries.kubeApiserver,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--advertise-address=127.0.0.1',
        '--endpoint-reconciler-type=none',
        `--cert-dir=${join(dir, 'certs')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        `--service-account-issuer=https://127.0.0.1:${apiPort}`,
        `--service-account-key-file=${join(dir, 'sa.key')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        `--etcd-compaction-interval=${options.etcdCompactionInterval ?? '5m'}`,
        ...featureGateFlags(options.featureGates),
        ...(options.apiserverFlags ?? []),
      ],
      join(dir, 'kube-apiserver.log'),
    );
    children.push(api);
    await waitHealthy(
      async () => {
        const res = await getReadyz(apiPort, token);
        return res.status === 200 && res.body.trim() === 'ok';
      },
      children,
      deadline,
      'kube-apiserver',
    );

    const ca = lastPemBlock(readFileSync(join(dir, 'certs', 'apiserver.crt'), 'utf8'));
    const caPath = join(dir, 'ca.crt');
    writeFileSync(caPath, ca);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = options.kubeconfigPath ?? join(dir, 'kubeconfig');
    const kubeconfigId = writeNewPrivateFile(kubeconfigPath, kubeconfigYaml(server, caPath, token));
    let stopped: Promise<void> | null = null;
    return {
      kubeconfigPath,
      server,
      token,
      ca,
      existing: false,
      dir,
      binaries,
      pids: children.map((c) => c.process.pid ?? 0),
      startedInMs: Date.now() - t0,
      stop: () => {
        stopped ??= stop().then(() => {
          removeIfSame(kubeconfigPath, kubeconfigId);
        });
        return stopped;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Starts etcd and kube-apiserver on free loopback ports (or, with USE_EXISTING_CLUSTER=true, starts nothing)
 * and resolves once `/readyz` says ok and a kubeconfig is written. A child that exits early is reported
 * with its last output. Port races are retried up to three times.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const env = options.env ?? process.env;
  if (env.USE_EXISTING_CLUSTER === 'true') return existingCluster(env);
  if (options.kubeconfigPath && existsSync(options.kubeconfigPath)) {
    throw new Error(`${options.kubeconfigPath} already exists; the control plane never overwrites a kubeconfig it did not write`);
  }
  const t0 = Date.now();
  const binaries = await findBinaries({
    build: options.build ?? true,
    env,
    ...(options.progress ? { progress: options.progress } : {}),
  });
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(binaries, options, t0);
    } catch (err) {
      lastError = err;
      const text = String(err);
      if (!/address already in use|bind/i.test(text)) break;
      options.progress?.(`control plane: port conflict, retrying (${attempt}/3)`);
    }
  }
  throw lastError;
}

/** `--feature-gates=A=true,B=false` from `['A', 'B=false']` (none: no flag). */
function featureGateFlags(gates: string[] | undefined): string[] {
  if (!gates?.length) return [];
  return [`--feature-gates=${gates.map((gate) => (gate.includes('=') ? gate : `${gate}=true`)).join(',')}`];
}
