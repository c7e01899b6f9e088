/**
 * A served Kubernetes resource (group, version, plural plus what discovery tells about it) and its API paths.
 *
 * Built by src/kube/discovery.ts from the API server's discovery documents; matched against user selectors
 * by src/handlers/selector.ts; used for URLs by src/kube. Pure data.
 */

/** A resource as discovered: equality is by group, version and plural. */
export interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  singular: string;
  shortcuts: string[];
  categories: string[];
  /** Subresource names, e.g. `['status', 'scale']`. */
  subresources: string[];
  namespaced: boolean;
  /** Whether this version is the group's preferred version. */
  preferred: boolean;
  verbs: string[];
}

/** `group/version`, or just `version` for the core group. */
export function apiVersionOf(resource: Pick<Resource, 'group' | 'version'>): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** Kopf's printable name of a resource: `plural.version.group` (or `plural.version` for core). */
export function resourceName(resource: Pick<Resource, 'group' | 'version' | 'plural'>): string {
  return resource.group
    ? `${resource.plural}.${resource.version}.${resource.group}`
    : `${resource.plural}.${resource.version}`;
}

/** Options for {@link resourcePath}. */
export interface PathOptions {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

/**
 * The API path of a resource's collection, one object, or one object's subresource:
 * `/api/v1/namespaces/ns/pods/name/status` or `/apis/kopf.dev/v1/kopfexamples`.
 */
export function resourcePath(
  resource: Pick<Resource, 'group' | 'version' | 'plural' | 'namespaced'>,
  options: PathOptions = {},
): string {
  const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const parts = [root];
  if (resource.namespaced && options.namespace) parts.push('namespaces', encodeURIComponent(options.namespace));
  parts.push(resource.plural);
  if (options.name !== undefined) {
    parts.push(encodeURIComponent(options.name));
    if (options.subresource) parts.push(options.subresource);
  }
  return parts.join('/');
}
