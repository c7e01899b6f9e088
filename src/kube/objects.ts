/**
 * Object verbs on any resource: get, paginated list, create, delete, and merge/JSON patches of the object
 * or its status. Used by the engine (writes), the demo and the tests. Everything goes through client.ts.
 */
import type { Body } from '../model/body.ts';
import { resourcePath, apiVersionOf, type Resource } from '../model/resource.ts';
import type { KubeClient } from './client.ts';

type Res = Pick<Resource, 'group' | 'version' | 'plural' | 'namespaced'> & Partial<Pick<Resource, 'kind'>>;

/** Which object. */
export interface ObjectRef {
  namespace?: string | undefined;
  name: string;
}

/** A page-by-page LIST result. */
export interface ListResult {
  items: Body[];
  resourceVersion: string;
}

/** Reads one object. */
export async function getObject(client: KubeClient, resource: Res, ref: ObjectRef, signal?: AbortSignal): Promise<Body> {
  return await client.request<Body>({ method: 'GET', path: resourcePath(resource, ref), signal, resource: resource.plural, verb: 'get' });
}

/** One page of a LIST: its items (with `apiVersion` and `kind` filled in) and the list's resourceVersion. */
export interface ListPage {
  items: Body[];
  resourceVersion: string;
}

/**
 * Lists all objects (in `namespace`, or cluster-wide) page by page (`limit` + `continue`), yielding each page
 * as it arrives (nothing buffered beyond one page). Items get `apiVersion` and `kind` filled in from the list
 * (as Kopf does). Used by the watch's paginated LIST and by {@link listObjects}.
 */
export async function* listPages(
  client: KubeClient,
  resource: Res,
  options: {
    namespace?: string | undefined;
    pageSize?: number;
    labelSelector?: string;
    /** The apiserver's shard filter (ShardedListAndWatch), e.g. `shardRange(object.metadata.uid, '0x…', '0x…')`. */
    shardSelector?: string | undefined;
    signal?: AbortSignal;
  } = {},
): AsyncGenerator<ListPage> {
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const page = await client.request<{ kind?: string; apiVersion?: string; metadata?: { resourceVersion?: string; continue?: string }; items?: Body[] }>({
      method: 'GET',
      path: resourcePath(resource, { namespace: options.namespace }),
      query: { limit: options.pageSize ?? 500, continue: token, labelSelector: options.labelSelector, shardSelector: options.shardSelector },
      signal: options.signal,
      verb: 'list',
      resource: resource.plural,
    });
    const kind = page.kind?.replace(/List$/, '') ?? resource.kind;
    const items = (page.items ?? []).map((item) => ({ ...item, apiVersion: item.apiVersion ?? page.apiVersion ?? apiVersionOf(resource), kind: item.kind ?? kind }));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    token = page.metadata?.continue || undefined;
    yield { items, resourceVersion };
  } while (token);
}

/** Lists all objects (in `namespace`, or cluster-wide), page by page, into one result. */
export async function listObjects(
  client: KubeClient,
  resource: Res,
  options: Parameters<typeof listPages>[2] = {},
): Promise<ListResult> {
  const items: Body[] = [];
  let resourceVersion = '';
  for await (const page of listPages(client, resource, options)) {
    items.push(...page.items);
    resourceVersion = page.resourceVersion;
  }
  return { items, resourceVersion };
}

/** Creates an object (namespace from the body or `namespace`). */
export async function createObject(client: KubeClient, resource: Res, body: Body, namespace?: string): Promise<Body> {
  return await client.request<Body>({
    method: 'POST',
    path: resourcePath(resource, { namespace: body.metadata.namespace ?? namespace }),
    body,
    resource: resource.plural,
    verb: 'create',
  });
}

/** Deletes an object. */
export async function deleteObject(client: KubeClient, resource: Res, ref: ObjectRef): Promise<void> {
  await client.request({ method: 'DELETE', path: resourcePath(resource, ref), resource: resource.plural, verb: 'delete' });
}

/** Options of {@link patchObject}. */
export interface PatchOptions {
  type: 'merge' | 'json';
  subresource?: 'status' | undefined;
  signal?: AbortSignal;
}

/**
 * Patches an object (or its status) with a merge patch or a JSON patch and returns the patched object.
 * JSON patches are not retried here: they are guarded by a resourceVersion test and the caller decides.
 */
export async function patchObject(client: KubeClient, resource: Res, ref: ObjectRef, patch: unknown, options: PatchOptions): Promise<Body> {
  return await client.request<Body>({
    method: 'PATCH',
    path: resourcePath(resource, { ...ref, subresource: options.subresource }),
    body: patch,
    contentType: options.type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json',
    signal: options.signal,
    resource: options.subresource ? `${resource.plural}/${options.subresource}` : resource.plural,
    verb: 'patch',
    noRetry: options.type === 'json',
  });
}
