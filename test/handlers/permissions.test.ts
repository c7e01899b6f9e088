// Unit tests of src/handlers/permissions.ts and rbac-manifests.ts: the rules an operator needs, from its
// selectors resolved against a hand-made discovery, placed cluster-wide or per namespace.
import test from 'ava';
import { parseSelector } from '../../src/handlers/selector.ts';
import {
  mergeRules,
  requiredPermissions,
  watchedResources,
  UnresolvedSelectorError,
} from '../../src/handlers/permissions.ts';
import { rbacManifests } from '../../src/handlers/rbac-manifests.ts';
import type { Resource } from '../../src/model/resource.ts';

const r = (group: string, plural: string, kind: string, extra: Partial<Resource> = {}): Resource => ({
  group,
  version: 'v1',
  plural,
  kind,
  singular: kind.toLowerCase(),
  shortcuts: [],
  categories: [],
  subresources: ['status'],
  namespaced: true,
  preferred: true,
  verbs: ['list', 'watch', 'patch'],
  ...extra,
});
const discovered: Resource[] = [
  r('kopf.dev', 'kopfexamples', 'KopfExample', { shortcuts: ['kex'] }),
  r('', 'configmaps', 'ConfigMap', { subresources: [] }),
  r('kopf.dev', 'clusterthings', 'ClusterThing', { namespaced: false }),
  r('a.example', 'widgets', 'Widget'),
  r('b.example', 'widgets', 'Widget'),
];
const watched = (...selectors: string[]): Resource[] =>
  watchedResources(
    selectors.map((s) => parseSelector(s)),
    discovered,
  );

/** The permissions of an operator watching `selectors`, serving `namespaces`. */
function permissionsOf(
  selectors: string[],
  namespaces: string[],
  scope: { clusterwide: boolean; operatorNamespace: string },
) {
  return requiredPermissions(watched(...selectors), { ...scope, namespaces });
}

const KEX = {
  apiGroups: ['kopf.dev'],
  resources: ['kopfexamples'],
  verbs: ['get', 'list', 'watch', 'patch'],
};
const KEX_STATUS = { apiGroups: ['kopf.dev'], resources: ['kopfexamples/status'], verbs: ['patch'] };
const EVENTS = { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] };
const CRDS = {
  apiGroups: ['apiextensions.k8s.io'],
  resources: ['customresourcedefinitions'],
  verbs: ['list', 'watch'],
};
const NAMESPACES = { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] };

test('cluster-wide: one set of rules with the watched resource, its status, events and CRDs', (t) => {
  const p = permissionsOf(['kex'], [], { clusterwide: true, operatorNamespace: 'ops' });
  t.deepEqual(p.cluster, [EVENTS, CRDS, KEX, KEX_STATUS]);
  t.deepEqual(p.namespaced, []);
  t.deepEqual(p.roleNamespaces, []);
});

test('no namespaces at all means cluster-wide, as kopf-ts run', (t) => {
  const p = permissionsOf(['kex'], [], { clusterwide: false, operatorNamespace: 'ops' });
  t.deepEqual(p.cluster, [EVENTS, CRDS, KEX, KEX_STATUS]);
});

test('plain namespaces: namespaced needs in a Role per namespace, CRDs cluster-wide; no namespace watching', (t) => {
  const p = permissionsOf(['kex'], ['b', 'a'], { clusterwide: false, operatorNamespace: 'a' });
  t.deepEqual(p.cluster, [CRDS]);
  t.deepEqual(p.namespaced, [EVENTS, KEX, KEX_STATUS]);
  t.deepEqual(p.roleNamespaces, ['a', 'b']);
  t.deepEqual(p.operatorNamespaced, []);
});

test('namespace globs: namespaces are followed and the rules are cluster-wide', (t) => {
  const p = permissionsOf(['kex'], ['team-*', '!team-x'], { clusterwide: false, operatorNamespace: 'ops' });
  t.deepEqual(p.cluster, [EVENTS, NAMESPACES, CRDS, KEX, KEX_STATUS]);
  t.deepEqual(p.roleNamespaces, []);
});

test('cluster-scoped resources are granted cluster-wide; their Events go to the operator namespace', (t) => {
  const p = permissionsOf(['clusterthings', 'configmaps'], ['a'], {
    clusterwide: false,
    operatorNamespace: 'ops',
  });
  t.deepEqual(p.cluster, [
    CRDS,
    { apiGroups: ['kopf.dev'], resources: ['clusterthings'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: ['kopf.dev'], resources: ['clusterthings/status'], verbs: ['patch'] },
  ]);
  // configmaps have no status subresource: their results go into the object's own patch.
  t.deepEqual(p.namespaced, [
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'patch'] },
    EVENTS,
  ]);
  t.deepEqual(p.operatorNamespaced, [EVENTS]);
});

test('rules merge by group and verbs; a watched resource that is also written gets the union of verbs', (t) => {
  t.deepEqual(
    mergeRules([
      EVENTS,
      { apiGroups: [''], resources: ['events', 'pods'], verbs: ['watch', 'list', 'get', 'patch'] },
    ]),
    [
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
    ],
  );
});

test('a selector that is ambiguous or matches nothing is a clear error', (t) => {
  const ambiguous = t.throws(() => watched('widgets'), { instanceOf: UnresolvedSelectorError });
  t.regex(
    ambiguous.message,
    /widgets is ambiguous \(widgets\.a\.example, widgets\.b\.example\): name the API group/,
  );
  const missing = t.throws(() => watched('kex', 'nothings'), { instanceOf: UnresolvedSelectorError });
  t.regex(missing.message, /nothings matches no served resource \(is its CRD created\?\)/);
});

test('manifests: the account, the ClusterRole and binding, a Role and binding per namespace', (t) => {
  const p = permissionsOf(['kex'], ['a', 'b'], { clusterwide: false, operatorNamespace: 'a' });
  const docs = rbacManifests(p, { name: 'op', namespace: 'a' });
  t.deepEqual(
    docs.map((d) => `${String(d.kind)}/${String((d.metadata as { namespace?: string }).namespace ?? '')}`),
    [
      'ServiceAccount/a',
      'ClusterRole/',
      'ClusterRoleBinding/',
      'Role/a',
      'RoleBinding/a',
      'Role/b',
      'RoleBinding/b',
    ],
  );
  t.deepEqual(docs[6]!.subjects, [{ kind: 'ServiceAccount', name: 'op', namespace: 'a' }]);
  t.deepEqual(docs[6]!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'op' });
  t.deepEqual(docs[5]!.rules, [EVENTS, KEX, KEX_STATUS]);
  t.not(docs[3]!.rules, docs[5]!.rules, 'no shared arrays (YAML would print anchors)');
});

test('manifests: a Role for Events in the operator namespace when it is not served', (t) => {
  const p = permissionsOf(['clusterthings'], ['a'], { clusterwide: false, operatorNamespace: 'ops' });
  const docs = rbacManifests(p, { name: 'op', namespace: 'ops' });
  const role = docs.find(
    (d) => d.kind === 'Role' && (d.metadata as { namespace: string }).namespace === 'ops',
  );
  t.deepEqual(role?.rules, [EVENTS]);
});

test("peering: the ClusterKopfPeering cluster-wide, the KopfPeering in each served namespace; sharding: Leases in the operator's namespace", (t) => {
  // Rules of one group with the same verbs are merged: look for the resource among a rule's resources.
  const grants = (rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[], plural: string): boolean =>
    rules.some((r) => r.apiGroups.includes('kopf.dev') && r.resources.includes(plural) && ['get', 'list', 'watch', 'patch'].every((v) => r.verbs.includes(v)));
  const leases = { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'update'] };
  const wide = requiredPermissions(watched('kex'), { clusterwide: true, namespaces: [], operatorNamespace: 'ops', peering: true, sharding: true });
  t.true(grants(wide.cluster, 'clusterkopfpeerings'));
  t.deepEqual(wide.operatorNamespaced, [leases]);
  const narrow = requiredPermissions(watched('kex'), { clusterwide: false, namespaces: ['ns1'], operatorNamespace: 'ns1', peering: true, sharding: true });
  t.true(grants(narrow.namespaced, 'kopfpeerings'));
  const role = rbacManifests(narrow, { name: 'op', namespace: 'ns1' }).find((m) => m.kind === 'Role') as { rules: { resources: string[] }[] };
  t.true(role.rules.some((r) => r.resources.includes('leases')), 'the Leases join the Role of the served namespace');
  t.true(role.rules.some((r) => r.resources.includes('kopfpeerings')));
  const plain = requiredPermissions(watched('kex'), { clusterwide: true, namespaces: [], operatorNamespace: 'ops' });
  t.false(JSON.stringify(plain).includes('leases') || JSON.stringify(plain).includes('peerings'), 'nothing by default');
});
