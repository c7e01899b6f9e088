/**
 * Our own kube client (src/kube) pointed at the test file's control plane, for tests of src/kube and the engine.
 */
import { KubeClient, type KubeClientOptions } from '../../src/kube/client.ts';
import { loadConnection } from '../../src/kube/config.ts';
import type { Resource } from '../../src/model/resource.ts';
import type { TestCluster } from './cluster.ts';

/** The KopfExample resource as discovery reports it. */
export const KEX_RESOURCE: Resource = {
  group: 'kopf.dev',
  version: 'v1',
  plural: 'kopfexamples',
  kind: 'KopfExample',
  singular: 'kopfexample',
  shortcuts: ['kopfexes', 'kopfex', 'kex'],
  categories: [],
  subresources: ['status'],
  namespaced: true,
  preferred: true,
  verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
};

/** A src/kube client for the cluster. */
export function kubeClient(cluster: TestCluster, options: KubeClientOptions = {}): KubeClient {
  return new KubeClient(loadConnection({ kubeconfig: cluster.kubeconfigPath }), options);
}

/** A KopfExample manifest. */
export function kex(name: string, spec: Record<string, unknown> = { field: 'value' }, extra: Record<string, unknown> = {}): any {
  return { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name, ...extra }, spec };
}
