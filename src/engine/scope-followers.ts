/**
 * The two watches that decide what an operator serves while it runs: the namespaces (for `-n` globs: which
 * namespaces match now) and the CRDs (which resources exist now). Each reports changes to the operator
 * (src/engine/operator.ts), which starts and stops the resources' watches and actors accordingly.
 */
import { matchAnyNamespace } from '../model/namespaces.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { KubeClient } from '../kube/client.ts';
import { CRD_RESOURCE, NAMESPACE_RESOURCE } from '../kube/discovery.ts';
import { watchObjects } from '../kube/watch.ts';
import type { WatchHealthBoard } from './watch-health.ts';

/** How long CRD events are collected before their groups are rediscovered (a CRD applied with others, a burst). */
export const CRD_RESCAN_DELAY_MS = 300;

interface FollowOptions {
  client: KubeClient;
  signal: AbortSignal;
  settings: OperatorSettings;
  watches: WatchHealthBoard;
}

/**
 * Watches the namespaces and keeps the set of those matching `patterns` (Kopf's globs): `onChange(served)` after
 * the initial listing (`listed: true`) and whenever the set changes later. A namespace being deleted without
 * status conditions counts as gone, as in Kopf. Ends when `signal` aborts.
 */
export async function followNamespaces(
  options: FollowOptions & {
    patterns: readonly string[];
    initial: ReadonlySet<string>;
    onChange: (served: ReadonlySet<string>, listed: boolean) => void;
  },
): Promise<void> {
  const { settings, patterns } = options;
  let served = new Set(options.initial);
  const health = options.watches.track('namespaces');
  for await (const item of watchObjects({
    client: options.client,
    resource: NAMESPACE_RESOURCE,
    signal: options.signal,
    pageSize: settings.watching.listPageSize,
    streamingLists: settings.watching.streamingLists,
    health,
  })) {
    if (item.kind === 'listed') {
      options.onChange(served, true);
      continue;
    }
    const ns = item.event.object;
    const name = ns.metadata.name ?? '';
    const gone =
      item.event.type === 'DELETED' ||
      (ns.metadata.deletionTimestamp &&
        !(ns.status as { conditions?: unknown[] } | undefined)?.conditions?.length);
    const next = new Set(served);
    if (!gone && matchAnyNamespace(name, patterns)) next.add(name);
    else next.delete(name);
    if (next.size !== served.size || [...next].some((n) => !served.has(n))) {
      served = next;
      // Objects of the initial listing only build the set; it is announced once listed.
      if (item.event.type !== null) options.onChange(served, false);
    }
  }
}

/**
 * Watches the CRDs: the API groups of CRD events within {@link CRD_RESCAN_DELAY_MS} are handed to `onGroups`
 * together, once, one call at a time. `deleted` keeps `group/plural` of the CRDs deleted (discovery may still
 * list them for a moment) and forgets those created again. Ends when `signal` aborts, after the last call.
 */
export async function followCrds(
  options: FollowOptions & { deleted: Set<string>; onGroups: (groups: ReadonlySet<string>) => Promise<void> },
): Promise<void> {
  const { settings, deleted } = options;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let calls = Promise.resolve();
  const health = options.watches.track('customresourcedefinitions');
  for await (const item of watchObjects({
    client: options.client,
    resource: CRD_RESOURCE,
    signal: options.signal,
    pageSize: settings.watching.listPageSize,
    streamingLists: settings.watching.streamingLists,
    health,
  })) {
    if (item.kind === 'listed' || item.event.type === null) continue;
    const spec = item.event.object.spec as { group?: unknown; names?: { plural?: unknown } } | undefined;
    const group = typeof spec?.group === 'string' ? spec.group : '';
    const crd = `${group}/${String(spec?.names?.plural)}`;
    if (item.event.type === 'DELETED') deleted.add(crd);
    else deleted.delete(crd);
    pending.add(group);
    timer ??= setTimeout(() => {
      timer = null;
      const groups = new Set(pending);
      pending.clear();
      calls = calls.then(() => options.onGroups(groups));
    }, CRD_RESCAN_DELAY_MS);
  }
  if (timer) clearTimeout(timer);
  await calls;
}
