/**
 * The test files' handle on the real control plane: one kube-apiserver + etcd per `npm test` run (started by
 * test/run.ts and passed in KOPF_TS_TEST_KUBECONFIG), and a fresh namespace per test file.
 *
 * When a test file is run alone (`npx ava test/kube/x.test.ts`) and no run-wide plane exists, it starts one
 * for that file and stops it when the file ends. The example CRD (examples/crd.yaml) is applied and waited
 * for. This helper talks to the cluster through @kubernetes/client-node, independently of src/kube, so that
 * tests of our client are checked by another one.
 */
import * as k8s from '@kubernetes/client-node';
import { appendFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as https from 'node:https';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { cacheRoot, startControlPlane, type ControlPlane } from '../../src/cluster/index.ts';

/** What a test file gets. */
export interface TestCluster {
  kubeconfigPath: string;
  /** The namespace this test file owns (created for it). */
  namespace: string;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
  /** The plane, when this file started its own (null when it is shared by the run). */
  plane: ControlPlane | null;
  /** Applies YAML documents (create or replace) into this namespace unless they say otherwise. */
  apply(yamlText: string): Promise<void>;
  /** Stops a plane this file started itself; namespaces of a shared plane are left to die with it. */
  close(): Promise<void>;
}

export const CRD_PATH = fileURLToPath(new URL('../../examples/crd.yaml', import.meta.url));
export const KOPFEXAMPLES = { group: 'kopf.dev', version: 'v1', plural: 'kopfexamples' } as const;

/** Polls `check` until it returns a truthy value, or throws after `timeoutMs` with `what` in the message. */
export async function eventually<T>(check: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * This process's environment for `kopf-ts cluster up` and `dev` in a private state directory: XDG_CACHE_HOME is
 * `dir` (state files, default kubeconfigs) while the binaries still come from the usual cache; no KUBECONFIG.
 */
export function privateCacheEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CACHE_HOME: dir,
    KOPF_TS_CONTROL_PLANE_CACHE: cacheRoot(process.env),
  };
  delete env.KUBECONFIG;
  return env;
}

/** Whether a process runs (a zombie does not). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** One raw JSON request with the kubeconfig's credentials (typed client-node models drop unknown keys). */
export async function rawRequest(kc: k8s.KubeConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const opts: https.RequestOptions = { method, headers: { 'Content-Type': contentType, Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  return await new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server), opts, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

function collectionPath(apiVersion: string, plural: string, namespace: string | undefined): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${root}/namespaces/${namespace}/${plural}` : `${root}/${plural}`;
}

async function applyDocs(kc: k8s.KubeConfig, yamlText: string, namespace: string): Promise<void> {
  for (const doc of parseAllDocuments(yamlText)) {
    const spec = doc.toJS() as (k8s.KubernetesObject & { apiVersion: string; kind: string; metadata: k8s.V1ObjectMeta }) | null;
    if (!spec?.kind) continue;
    spec.metadata ??= {};
    const discovery = await rawRequest(kc, 'GET', spec.apiVersion.includes('/') ? `/apis/${spec.apiVersion}` : `/api/${spec.apiVersion}`);
    const resource = (discovery.json.resources as { name: string; kind: string; namespaced: boolean }[]).find(
      (r) => r.kind === spec.kind && !r.name.includes('/'),
    );
    if (!resource) throw new Error(`${spec.apiVersion} ${spec.kind} is not served`);
    if (!spec.metadata.namespace && resource.namespaced) spec.metadata.namespace = namespace;
    const collection = collectionPath(spec.apiVersion, resource.name, resource.namespaced ? spec.metadata.namespace : undefined);
    const created = await rawRequest(kc, 'POST', collection, spec);
    if (created.status === 409) {
      const path = `${collection}/${spec.metadata.name}`;
      const current = await rawRequest(kc, 'GET', path);
      spec.metadata.resourceVersion = current.json.metadata.resourceVersion;
      const replaced = await rawRequest(kc, 'PUT', path, spec);
      if (replaced.status >= 300) throw new Error(`PUT ${path}: ${replaced.status} ${JSON.stringify(replaced.json)}`);
    } else if (created.status >= 300) {
      throw new Error(`POST ${collection}: ${created.status} ${JSON.stringify(created.json)}`);
    }
  }
}

async function ensureCrd(kc: k8s.KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  try {
    await ext.readCustomResourceDefinition({ name: 'kopfexamples.kopf.dev' });
  } catch {
    await applyDocs(kc, readFileSync(CRD_PATH, 'utf8'), '');
  }
  await eventually(async () => {
    const crd = await ext.readCustomResourceDefinition({ name: 'kopfexamples.kopf.dev' });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  }, 'the KopfExample CRD to be established');
}

/**
 * The real control plane for one test file, with a fresh namespace named after `fileName`.
 * Call once per file (e.g. in `test.before`) and `close()` in `test.after.always`.
 */
export async function testCluster(fileName: string): Promise<TestCluster> {
  let kubeconfigPath = process.env.KOPF_TS_TEST_KUBECONFIG;
  let plane: ControlPlane | null = null;
  if (!kubeconfigPath) {
    plane = await startControlPlane({ etcdCompactionInterval: '15s' });
    kubeconfigPath = plane.kubeconfigPath;
  }
  if (process.env.KOPF_TS_TEST_STATE_DIR) {
    appendFileSync(`${process.env.KOPF_TS_TEST_STATE_DIR}/cluster-files`, fileName + '\n');
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const base = fileName.replace(/^.*\//, '').replace(/\.test\.ts$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  const namespace = `t-${base}`.slice(0, 50).replace(/-+$/, '') + '-' + randomBytes(3).toString('hex');
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await ensureCrd(kc);
  return {
    kubeconfigPath,
    namespace,
    kc,
    core,
    custom,
    objects,
    plane,
    apply: (yamlText) => applyDocs(kc, yamlText, namespace),
    close: async () => {
      await plane?.stop();
    },
  };
}

/** A CustomResourceDefinition manifest with a free-form schema and a status subresource (for tests). */
export function crdManifest(options: { group: string; plural: string; kind: string; scope?: 'Namespaced' | 'Cluster' }): Record<string, unknown> {
  const { group, plural, kind } = options;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: options.scope ?? 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase() },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}
