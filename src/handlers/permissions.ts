/**
 * The least-privilege permissions of an operator, derived from what it declared: which resources its handlers
 * watch (its selectors resolved against the discovered resources, as the engine resolves them) and what the
 * engine requests for them — list/watch (and get/patch) of each watched resource, patch of its `/status`,
 * create/patch of core Events, list/watch of CRDs (the engine follows CRDs to serve resources created later),
 * list/watch of namespaces when namespace globs are served, create/patch of the webhook configurations when
 * admission handlers exist. Rules are split into what must be granted
 * cluster-wide and what is granted per namespace. Pure; called by `kopf-ts rbac` (src/cli/rbac.ts), which
 * renders them with src/handlers/rbac-manifests.ts.
 */
import { specificNamespaces } from '../model/namespaces.ts';
import type { Resource } from '../model/resource.ts';
import { selectResources, type Selector } from './selector.ts';

/** One RBAC rule (a `rules[]` entry of a Role or ClusterRole). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Where the operator serves: as `kopf-ts run`'s `-A` and `-n` (no namespaces means the whole cluster). */
export interface ServingScope {
  clusterwide: boolean;
  /** Namespace patterns (Kopf's globs); plain names get a Role each. */
  namespaces: readonly string[];
  /** Where Events about cluster-scoped objects go (the operator's own namespace when in-cluster). */
  operatorNamespace: string;
  /** Kopf's peering: the KopfPeering / ClusterKopfPeering objects are read, watched and patched. */
  peering?: boolean;
  /** Sharding (`run --shards`): the Leases in the operator's namespace are read, listed, created and updated. */
  sharding?: boolean;
  /**
   * Admission handlers exist: the managed webhook configurations (`settings.admission.managed`) are created
   * and patched, cluster-wide (Kopf's RBAC lists them unconditionally; here only when there are handlers).
   */
  admission?: boolean;
}

/** The rules, placed. */
export interface Permissions {
  /** The resources the handlers watch, as resolved. */
  watched: Resource[];
  /** Rules granted cluster-wide (a ClusterRole). */
  cluster: PolicyRule[];
  /** Rules granted in each namespace of `roleNamespaces` (a Role per namespace). */
  namespaced: PolicyRule[];
  roleNamespaces: string[];
  /** Extra rules in the operator's namespace only (Events about cluster-scoped objects), when it is not served. */
  operatorNamespaced: PolicyRule[];
}

/** A selector that does not resolve to exactly what the engine would serve. */
export class UnresolvedSelectorError extends Error {
  override name = 'UnresolvedSelectorError';
}

/** What the engine does with a watched resource: list+watch; patch the object; get it again on a conflict. */
const WATCHED_VERBS = ['get', 'list', 'watch', 'patch'];
/** Events: posted, then patched (`count`) when repeated within the aggregation window. */
const EVENT_RULE: PolicyRule = { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] };
/** The engine follows CRDs (unless `scanning.disabled`) to serve resources created after its start. */
const CRD_RULE: PolicyRule = {
  apiGroups: ['apiextensions.k8s.io'],
  resources: ['customresourcedefinitions'],
  verbs: ['list', 'watch'],
};
/** Sharding: the Leases of the shards and of the replicas (src/peering/leases.ts). */
const LEASE_RULE: PolicyRule = { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'update'] };
/** Namespace globs: the engine follows namespaces to start and stop watches. */
const NAMESPACE_RULE: PolicyRule = { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] };

/** Managed admission: the operator creates its webhook configurations, then patches them (never reads them). */
const ADMISSION_RULE: PolicyRule = {
  apiGroups: ['admissionregistration.k8s.io'],
  resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
  verbs: ['create', 'patch'],
};

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/**
 * Resolves the selectors as the engine does; throws an UnresolvedSelectorError naming every selector that is
 * ambiguous or matches nothing (the operator would serve nothing for it, so its needs are unknown).
 */
export function watchedResources(
  selectors: readonly Selector[],
  discovered: readonly Resource[],
): Resource[] {
  const found = new Map<string, Resource>();
  const problems: string[] = [];
  for (const selector of selectors) {
    const resolution = selectResources(selector, discovered);
    if (resolution.ambiguous.length) {
      problems.push(
        `${selector.text} is ambiguous (${resolution.ambiguous.map((r) => `${r.plural}.${r.group || 'core'}`).join(', ')}): name the API group`,
      );
    } else if (resolution.unresolved) {
      problems.push(`${selector.text} matches no served resource (is its CRD created?)`);
    }
    for (const r of resolution.resources) found.set(`${r.plural}.${r.version}.${r.group}`, r);
  }
  if (problems.length)
    throw new UnresolvedSelectorError(`Cannot derive the permissions: ${problems.join('; ')}.`);
  return [...found.values()];
}

/** The permissions of an operator watching `watched` in `scope`. */
export function requiredPermissions(watched: readonly Resource[], scope: ServingScope): Permissions {
  const clusterwide = scope.clusterwide || scope.namespaces.length === 0;
  const plain = specificNamespaces(scope.namespaces);
  // Globs (or `!` exclusions) are resolved at run time: the namespaces cannot be listed here, so the
  // namespaced rules are granted cluster-wide (and the namespaces followed).
  const globs = !clusterwide && plain.length !== scope.namespaces.length;
  const perNamespace = !clusterwide && !globs;

  const cluster: PolicyRule[] = [CRD_RULE];
  const namespaced: PolicyRule[] = [];
  if (globs) cluster.push(NAMESPACE_RULE);
  if (scope.admission) cluster.push(ADMISSION_RULE);
  for (const r of watched) {
    const rules = resourceRules(r);
    if (r.namespaced && perNamespace) namespaced.push(...rules);
    else cluster.push(...rules);
  }
  const operatorNamespaced: PolicyRule[] = [];
  if (scope.peering) {
    const rule = { apiGroups: ['kopf.dev'], resources: [clusterwide ? 'clusterkopfpeerings' : 'kopfpeerings'], verbs: ['get', 'list', 'watch', 'patch'] };
    (perNamespace ? namespaced : cluster).push(rule);
  }
  if (scope.sharding) operatorNamespaced.push(LEASE_RULE);
  if (watched.length > 0) {
    if (perNamespace) {
      namespaced.push(EVENT_RULE);
      // Events about cluster-scoped objects go to the operator's own namespace.
      if (watched.some((r) => !r.namespaced) && !plain.includes(scope.operatorNamespace))
        operatorNamespaced.push(EVENT_RULE);
    } else {
      cluster.push(EVENT_RULE);
    }
  }
  return {
    watched: [...watched],
    cluster: mergeRules(cluster),
    namespaced: mergeRules(namespaced),
    roleNamespaces: perNamespace && namespaced.length ? [...plain].sort() : [],
    operatorNamespaced: mergeRules(operatorNamespaced),
  };
}

/** A watched resource's rules: the object's verbs, and patch of `/status` when it has that subresource. */
function resourceRules(r: Resource): PolicyRule[] {
  const rules: PolicyRule[] = [{ apiGroups: [r.group], resources: [r.plural], verbs: WATCHED_VERBS }];
  if (r.subresources.includes('status'))
    rules.push({ apiGroups: [r.group], resources: [`${r.plural}/status`], verbs: ['patch'] });
  return rules;
}

/**
 * One rule per (API group, set of verbs), resources sorted: a resource's verbs are first unioned over all
 * rules (a watched `events` also gets create/patch), so every resource appears once.
 */
export function mergeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const verbsOf = new Map<string, Set<string>>();
  for (const rule of rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const key = `${group}\u0000${resource}`;
        const set = verbsOf.get(key) ?? new Set<string>();
        for (const verb of rule.verbs) set.add(verb);
        verbsOf.set(key, set);
      }
    }
  }
  const byGroupAndVerbs = new Map<string, PolicyRule>();
  for (const [key, set] of verbsOf) {
    const [group, resource] = key.split('\u0000') as [string, string];
    const verbs = [...set].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const id = `${group}\u0000${verbs.join(',')}`;
    const rule = byGroupAndVerbs.get(id) ?? { apiGroups: [group], resources: [], verbs };
    rule.resources.push(resource);
    byGroupAndVerbs.set(id, rule);
  }
  const merged = [...byGroupAndVerbs.values()];
  for (const rule of merged) rule.resources.sort();
  return merged.sort(
    (a, b) =>
      a.apiGroups[0]!.localeCompare(b.apiGroups[0]!) || a.resources[0]!.localeCompare(b.resources[0]!),
  );
}

function rank(verb: string): number {
  const i = VERB_ORDER.indexOf(verb);
  return i < 0 ? VERB_ORDER.length : i;
}
