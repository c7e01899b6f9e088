/**
 * The Kubernetes objects that grant an operator its permissions (src/handlers/permissions.ts): a
 * ServiceAccount, a ClusterRole with its ClusterRoleBinding for the cluster-wide rules, and a Role with its
 * RoleBinding in each served namespace (and in the operator's own namespace when it needs Events there).
 * Pure data; printed as YAML by `kopf-ts rbac` (src/cli/rbac.ts).
 */
import type { Permissions, PolicyRule } from './permissions.ts';

/** Names of the objects. */
export interface RbacNames {
  /** The ServiceAccount, the roles and the bindings are all called this. */
  name: string;
  /** The ServiceAccount's namespace (where the operator runs). */
  namespace: string;
}

/** A manifest as plain data. */
export type Manifest = Record<string, unknown>;

const RBAC = 'rbac.authorization.k8s.io/v1';

/** The manifests, in apply order (the account first, each role before its binding). */
export function rbacManifests(permissions: Permissions, names: RbacNames): Manifest[] {
  const { name, namespace } = names;
  const subject = { kind: 'ServiceAccount', name, namespace };
  const out: Manifest[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }];
  if (permissions.cluster.length) {
    out.push({
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name },
      rules: rulesOf(permissions.cluster),
    });
    out.push({
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: roleRef('ClusterRole', name),
      subjects: [subject],
    });
  }
  const roles = new Map<string, PolicyRule[]>();
  for (const ns of permissions.roleNamespaces) roles.set(ns, permissions.namespaced);
  // The operator's own namespace: its extra rules (Events about cluster-scoped objects, Leases), with the
  // namespaced rules when it is also served (Events are already among those then).
  const extra = permissions.operatorNamespaced.filter((rule) => !(roles.get(namespace) ?? []).some((r) => JSON.stringify(r) === JSON.stringify(rule)));
  if (extra.length) roles.set(namespace, [...(roles.get(namespace) ?? []), ...extra]);
  for (const [ns, rules] of roles) {
    out.push({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace: ns }, rules: rulesOf(rules) });
    out.push({
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: roleRef('Role', name),
      subjects: [subject],
    });
  }
  return out;
}

function roleRef(kind: 'Role' | 'ClusterRole', name: string): Manifest {
  return { apiGroup: 'rbac.authorization.k8s.io', kind, name };
}

/** Fresh copies, so that the printed documents share no arrays (YAML would write anchors for shared ones). */
function rulesOf(rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.map((r) => ({
    apiGroups: [...r.apiGroups],
    resources: [...r.resources],
    verbs: [...r.verbs],
  }));
}
