/**
 * Discovery: what the API server serves (`/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>`) as
 * Resource records (preferred version, subresources, namespaced, verbs, short names, categories). Used by the
 * engine at start and whenever a CRD changes, to resolve the users' selectors.
 */
import type { Resource } from '../model/resource.ts';
import type { KubeClient } from './client.ts';

interface ApiResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

interface ApiGroupList {
  groups: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { version: string } }[];
}

/** Options of {@link discoverResources}. */
export interface DiscoverOptions {
  /** Only these groups (`''` for core); all when absent. */
  groups?: Iterable<string>;
  signal?: AbortSignal;
}

/** Scans the served resources. Group/versions that fail (e.g. an unavailable aggregated API) are skipped. */
export async function discoverResources(client: KubeClient, options: DiscoverOptions = {}): Promise<Resource[]> {
  const wanted = options.groups ? new Set(options.groups) : null;
  const result: Resource[] = [];
  const scan = async (group: string, version: string, preferred: boolean): Promise<void> => {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let list: { resources?: ApiResource[] };
    try {
      list = await client.request({ method: 'GET', path, signal: options.signal, verb: 'get', resource: 'discovery' });
    } catch {
      return;
    }
    const all = list.resources ?? [];
    for (const r of all) {
      if (r.name.includes('/')) continue;
      result.push({
        group,
        version,
        plural: r.name,
        kind: r.kind,
        singular: r.singularName || r.kind.toLowerCase(),
        shortcuts: r.shortNames ?? [],
        categories: r.categories ?? [],
        subresources: all.filter((s) => s.name.startsWith(r.name + '/')).map((s) => s.name.slice(r.name.length + 1)),
        namespaced: r.namespaced,
        preferred,
        verbs: r.verbs ?? [],
      });
    }
  };
  const tasks: Promise<void>[] = [];
  if (!wanted || wanted.has('')) {
    const core = await client.request<{ versions: string[] }>({ method: 'GET', path: '/api', signal: options.signal, verb: 'get', resource: 'discovery' });
    for (const v of core.versions) tasks.push(scan('', v, true));
  }
  const groups = await client.request<ApiGroupList>({ method: 'GET', path: '/apis', signal: options.signal, verb: 'get', resource: 'discovery' });
  for (const g of groups.groups) {
    if (wanted && !wanted.has(g.name)) continue;
    const preferred = g.preferredVersion?.version ?? g.versions[0]?.version;
    for (const v of g.versions) tasks.push(scan(g.name, v.version, v.version === preferred));
  }
  await Promise.all(tasks);
  return result;
}

/** The CRD resource, for watching CRDs (to serve resources created after start). */
export const CRD_RESOURCE: Resource = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  singular: 'customresourcedefinition',
  shortcuts: ['crd', 'crds'],
  categories: [],
  subresources: ['status'],
  namespaced: false,
  preferred: true,
  verbs: ['list', 'watch'],
};

/** The Namespace resource, for observing namespaces. */
export const NAMESPACE_RESOURCE: Resource = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  shortcuts: ['ns'],
  categories: [],
  subresources: ['status', 'finalize'],
  namespaced: false,
  preferred: true,
  verbs: ['list', 'watch'],
};
