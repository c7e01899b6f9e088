/**
 * Applying YAML manifests (create, or replace when they exist) through src/kube: used by `kopf-ts demo`.
 * Resources are found by discovery from each document's apiVersion and kind.
 */
import { parseAllDocuments } from 'yaml';
import type { Body } from '../model/body.ts';
import { KubeClient } from '../kube/client.ts';
import { loadConnection } from '../kube/config.ts';
import { discoverResources } from '../kube/discovery.ts';
import { ApiConflictError } from '../kube/errors.ts';
import { createObject, getObject } from '../kube/objects.ts';
import { resourcePath } from '../model/resource.ts';

/** Applies every document of `yamlText`; namespaced ones without a namespace go to `namespace`. */
export async function applyManifests(kubeconfigPath: string, yamlText: string, namespace: string): Promise<Body[]> {
  const client = new KubeClient(loadConnection({ kubeconfig: kubeconfigPath }));
  const applied: Body[] = [];
  try {
    for (const doc of parseAllDocuments(yamlText)) {
      const body = doc.toJS() as Body | null;
      if (!body?.kind || !body.apiVersion) continue;
      const [group, version] = body.apiVersion.includes('/') ? body.apiVersion.split('/') : ['', body.apiVersion];
      const resources = await discoverResources(client, { groups: [group!] });
      const resource = resources.find((r) => r.kind === body.kind && r.version === version);
      if (!resource) throw new Error(`${body.apiVersion} ${body.kind} is not served by the cluster`);
      if (resource.namespaced) body.metadata.namespace ??= namespace;
      try {
        applied.push(await createObject(client, resource, body));
      } catch (err) {
        if (!(err instanceof ApiConflictError)) throw err;
        const current = await getObject(client, resource, { namespace: body.metadata.namespace, name: body.metadata.name ?? '' });
        body.metadata.resourceVersion = current.metadata.resourceVersion;
        applied.push(
          await client.request<Body>({ method: 'PUT', path: resourcePath(resource, { namespace: body.metadata.namespace, name: body.metadata.name }), body }),
        );
      }
    }
  } finally {
    await client.close();
  }
  return applied;
}
