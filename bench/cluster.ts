/**
 * The bench's context, shared by all scenarios of one `npm run bench` run: the control plane (started here
 * with an audit log, or an existing one given with --kubeconfig), the KopfExample CRD, the driver and
 * bare clients, the audit log, the Kopf venv, and a fresh namespace per phase. Created by bench/run.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '../src/testing.ts';
import { AUDIT_POLICY, AuditLog, clientOf, countAudit, diffCounts, readRequestMetrics, type Counts } from './apiserver-metrics.ts';
import { BenchClient, collection, inParallel, Tracker, type KubeObject } from './http.ts';
import { ensureKopfVenv } from '../test/helpers/kopf-venv.ts';
import { OperatorProcess, type Impl } from './processes.ts';

const CRD_PATH = fileURLToPath(new URL('../examples/crd.yaml', import.meta.url));

/** Command-line options that every scenario sees. */
export interface BenchOptions {
  n?: number;
  concurrency: number;
  /** Writes in flight of the bare client (default: `concurrency`). */
  bareConcurrency: number;
  kubeconfig?: string;
  /** kopf-ts's settings.networking.qps/burst for the run (default: kopf-ts's defaults). */
  tsQps?: number;
  /** JSON merged into kopf-ts's settings (e.g. `{"networking":{"http2":true}}`). */
  tsSettings?: string;
  echo: boolean;
  impls: Impl[];
  timeoutMs: number;
}

/** Requests of one phase, as the apiserver counted them. */
export interface PhaseRequests {
  /** Audit log records of the phase, by client (null without an audit log, i.e. with --kubeconfig). */
  audit: Map<string, Counts> | null;
  /** The phase's diff of apiserver_request_total (every client, including the driver). */
  metrics: Counts;
}

export class Bench {
  readonly kopf: { kopf: string; python: string; version: string };
  #measuring: { metrics: Counts; since: number } | null = null;

  private constructor(
    readonly options: BenchOptions,
    readonly plane: ControlPlane | null,
    readonly kubeconfig: string,
    readonly driver: BenchClient,
    readonly bare: BenchClient,
    readonly audit: AuditLog | null,
    readonly dir: string,
  ) {
    this.kopf = ensureKopfVenv((line) => console.error(line));
  }

  static async start(options: BenchOptions): Promise<Bench> {
    const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-bench-'));
    let plane: ControlPlane | null = null;
    let kubeconfig = options.kubeconfig;
    let audit: AuditLog | null = null;
    if (!kubeconfig) {
      writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
      const auditPath = join(dir, 'audit.log');
      plane = await startControlPlane({
        progress: (line) => console.error(line),
        apiserverFlags: [
          `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
          `--audit-log-path=${auditPath}`,
          '--audit-log-format=json',
          '--audit-log-maxsize=0',
          '--audit-log-maxbackup=0',
        ],
      });
      kubeconfig = plane.kubeconfigPath;
      audit = new AuditLog(auditPath);
      console.error(`control plane: ${plane.server} (started in ${plane.startedInMs} ms)`);
    }
    const driver = await BenchClient.create(kubeconfig, 'kopf-ts-bench/driver');
    const bare = await BenchClient.create(kubeconfig, 'kopf-ts-bench/bare');
    const bench = new Bench(options, plane, kubeconfig, driver, bare, audit, dir);
    await bench.#installCrd();
    return bench;
  }

  async #installCrd(): Promise<void> {
    const crd = parse(readFileSync(CRD_PATH, 'utf8')) as unknown;
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    await this.driver.must('POST', path, crd, undefined, [409]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const got = await this.driver.must('GET', `${path}/kopfexamples.kopf.dev`);
      if ((got.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error('the KopfExample CRD was not established in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Creates a fresh namespace for one phase, e.g. `bench-a-kopf-ts-1a2b3c`. */
  async namespace(scenario: string, who: string): Promise<string> {
    const name = `bench-${scenario}-${who.toLowerCase()}-${randomBytes(3).toString('hex')}`;
    await this.driver.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  /** Starts an operator of `impl` running bench/kopf-ts/<name>.ts or bench/kopf/<name>.py in `namespace`. */
  operator(impl: Impl, name: string, namespace: string, env: Record<string, string> = {}): OperatorProcess {
    const extra: Record<string, string> = { ...env };
    if (impl === 'kopf-ts' && this.options.tsQps) extra.BENCH_QPS = String(this.options.tsQps);
    if (impl === 'kopf-ts' && this.options.tsSettings) extra.BENCH_TS_SETTINGS = this.options.tsSettings;
    return new OperatorProcess({ impl, name, namespace, kubeconfig: this.kubeconfig, kopfCommand: this.kopf.kopf, env: extra, echo: this.options.echo });
  }

  /** A tracker (LIST + WATCH) of the namespace's objects, already watching. */
  async tracker(namespace: string): Promise<Tracker> {
    const tracker = new Tracker(this.driver, namespace);
    await tracker.start();
    return tracker;
  }

  /** Creates a sentinel object and waits until `pred` holds for it: the operator is up and reacting. */
  async warmUp(tracker: Tracker, pred: (obj: KubeObject | undefined) => boolean, spec: Record<string, unknown> = {}): Promise<void> {
    await this.driver.must('POST', collection(tracker.namespace), body('warmup', spec));
    await tracker.until(['warmup'], pred, 120_000, 'the operator to handle the warm-up object');
  }

  /** Creates objects `prefix-00000…` with the driver; resolves with their names. */
  async createObjects(namespace: string, names: string[], spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<void> {
    await inParallel(names, this.options.concurrency, async (name) => {
      await this.driver.must('POST', collection(namespace), body(name, spec, annotations));
    });
  }

  /** Starts counting the requests of a phase (audit log mark and a /metrics snapshot). */
  async startMeasuring(): Promise<void> {
    this.audit?.mark();
    this.#measuring = { metrics: await readRequestMetrics(this.driver), since: Date.now() - 5 };
  }

  /** Stops counting: the requests made since startMeasuring(). Call after the operator stopped. */
  async stopMeasuring(): Promise<PhaseRequests> {
    if (!this.#measuring) throw new Error('not measuring');
    const metrics = diffCounts(await readRequestMetrics(this.driver), this.#measuring.metrics);
    let audit: Map<string, Counts> | null = null;
    if (this.audit) {
      await new Promise((r) => setTimeout(r, 300)); // let the apiserver write the last records
      const since = this.#measuring.since;
      const records = this.audit.read().filter((r) => r.received >= since);
      audit = new Map();
      for (const who of new Set(records.map((r) => clientOf(r.userAgent)))) {
        audit.set(who, countAudit(records, (r) => clientOf(r.userAgent) === who));
      }
    }
    this.#measuring = null;
    return { audit, metrics };
  }

  /** The machine and versions, for the report. */
  describe(): string {
    const binaries = this.plane?.binaries;
    return [
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      `node ${process.version}; kopf-ts ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}; kopf ${this.kopf.version.replace(' ', ' on Python ')}`,
      `load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(', ')} (other processes on the machine share its cores)`,
      binaries ? `control plane: ${version(binaries.kubeApiserver)}, ${version(binaries.etcd)} (loopback, same machine)` : `control plane: existing (${this.kubeconfig})`,
    ].join('\n');
  }

  async stop(): Promise<void> {
    await this.driver.close();
    await this.bare.close();
    await this.plane?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function version(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return binary;
  }
}

export function body(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name, ...(annotations ? { annotations } : {}) }, spec };
}

export function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}
