/**
 * Applying YAML manifests by server-side apply, as `kubectl apply --server-side` does for a newcomer's files:
 * used by `kopf-ts demo` and `kopf-ts dev` (src/cli/) and exported to users' tests by `kopf-ts/testing`.
 * Resources are found by discovery from each document's apiVersion and kind. After a CustomResourceDefinition
 * is applied, it waits (bounded) until the CRD is Established and its resource is served, so that a CRD and
 * objects of it can be applied in one go (one stream, or one call after another).
 */
import { parseAllDocuments } from 'yaml';
import type { Body } from '../model/body.ts';
import { resourcePath, type Resource } from '../model/resource.ts';
import { KubeClient } from './client.ts';
import { loadConnection } from './config.ts';
import { CRD_RESOURCE, discoverResources } from './discovery.ts';
import { getObject } from './objects.ts';

/** The field manager of the applied fields (`kubectl get -o yaml --show-managed-fields` shows it). */
const FIELD_MANAGER = 'kopf-ts';

/** Options of {@link applyManifests}. */
export interface ApplyManifestsOptions {
  /** How long to wait for an applied CRD to be Established and served (default 30 s). */
  crdTimeoutMs?: number;
}

/**
 * Applies (server-side) every document of `yamlText` to the cluster of `kubeconfigPath`: creates each object, or
 * sets the fields its YAML sets and keeps the others (an operator's annotations, finalizers, status). Namespaced
 * ones without a namespace go to `namespace`. Resolves with the objects as the API server returned them.
 */
export async function applyManifests(
  kubeconfigPath: string,
  yamlText: string,
  namespace: string,
  options: ApplyManifestsOptions = {},
): Promise<Body[]> {
  const client = new KubeClient(loadConnection({ kubeconfig: kubeconfigPath }));
  const applied: Body[] = [];
  try {
    for (const doc of parseAllDocuments(yamlText)) {
      if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`);
      const body = doc.toJS() as Body | null;
      if (!body?.kind || !body.apiVersion) continue;
      body.metadata ??= {};
      const resource = await servedResource(client, body.apiVersion, body.kind);
      if (resource.namespaced) body.metadata.namespace ??= namespace;
      const result = await serverSideApply(client, resource, body);
      applied.push(result);
      if (resource.group === CRD_RESOURCE.group && resource.kind === CRD_RESOURCE.kind) {
        await waitUntilServed(client, result, options.crdTimeoutMs ?? 30_000);
      }
    }
  } finally {
    await client.close();
  }
  return applied;
}

async function servedResource(client: KubeClient, apiVersion: string, kind: string): Promise<Resource> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const resources = await discoverResources(client, { groups: [group!] });
  const resource = resources.find((r) => r.kind === kind && r.version === version);
  if (!resource) {
    throw new Error(
      `${apiVersion} ${kind} is not served by the cluster (is its CustomResourceDefinition applied?)`,
    );
  }
  return resource;
}

/**
 * Server-side apply (as `kubectl apply --server-side --force-conflicts`): creates the object, or sets the fields
 * the YAML sets and leaves the rest alone, such as the annotations, finalizers and status that an operator wrote
 * (a replace would drop them and make the object look new to kopf-ts).
 */
async function serverSideApply(client: KubeClient, resource: Resource, body: Body): Promise<Body> {
  const ref = { namespace: body.metadata.namespace, name: body.metadata.name ?? '' };
  if (!ref.name) throw new Error(`${body.apiVersion} ${body.kind} without metadata.name cannot be applied`);
  return await client.request<Body>({
    method: 'PATCH',
    path: resourcePath(resource, ref),
    query: { fieldManager: FIELD_MANAGER, force: true },
    body,
    contentType: 'application/apply-patch+yaml',
    resource: resource.plural,
    verb: 'patch',
  });
}

interface CrdStatus {
  spec?: { group?: string; names?: { plural?: string }; versions?: { name: string; served?: boolean }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** Waits until the CRD is Established and each served version lists its resource in discovery. */
async function waitUntilServed(client: KubeClient, applied: Body, timeoutMs: number): Promise<void> {
  const name = applied.metadata.name ?? '';
  const deadline = Date.now() + timeoutMs;
  let last = 'not yet Established';
  for (;;) {
    const crd = (await getObject(client, CRD_RESOURCE, { name })) as CrdStatus;
    const conditions = crd.status?.conditions ?? [];
    const names = conditions.find((c) => c.type === 'NamesAccepted');
    if (names?.status === 'False') {
      throw new Error(
        `CustomResourceDefinition ${name}: its names are not accepted: ${names.message ?? names.reason}`,
      );
    }
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) {
      const plural = crd.spec?.names?.plural;
      const versions = (crd.spec?.versions ?? []).filter((v) => v.served !== false).map((v) => v.name);
      const served = await discoverResources(client, { groups: [crd.spec?.group ?? ''] });
      const missing = versions.filter((v) => !served.some((r) => r.plural === plural && r.version === v));
      if (!missing.length) return;
      last = `Established, but discovery does not list ${plural} in version(s) ${missing.join(', ')} yet`;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `CustomResourceDefinition ${name} was not served within ${Math.round(timeoutMs / 1000)} s: ${last}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
