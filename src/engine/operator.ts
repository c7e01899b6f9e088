/**
 * The operator: runs startup activities, logs in (login handlers, else the kubeconfig), discovers resources, resolves the handlers' selectors,
 * starts one watch loop per (resource × namespace) feeding the dispatcher, follows namespaces and CRDs as they
 * come and go, and stops gracefully (watches closed, in-flight reactions given `queueing.exitTimeout`,
 * queued Events posted, cleanup activities run). Called by `kopf-ts run` (src/cli/run.ts) and by embedders
 * through `kopf.run()` / `kopf.operator()` in the front door.
 */
import { Memo } from '../model/memo.ts';
import { matchAnyNamespace } from '../model/namespaces.ts';
import { resourceName, type Resource } from '../model/resource.ts';
import { defaultSettings, type OperatorSettings } from '../model/settings.ts';
import { storagesOf } from '../model/storages.ts';
import { KubeClient } from '../kube/client.ts';
import type { LoginError } from '../kube/vault.ts';
import { CRD_RESOURCE, NAMESPACE_RESOURCE, discoverResources } from '../kube/discovery.ts';
import { EventWriter } from '../kube/events.ts';
import { watchObjects } from '../kube/watch.ts';
import { getDefaultRegistry, type Registry } from '../handlers/registry.ts';
import { selectResources, type Selector } from '../handlers/selector.ts';
import type { Logger } from '../observe/log.ts';
import { configuredRootLogger } from '../observe/configure.ts';
import { runActivities } from './activities.ts';
import { createVault } from './login.ts';
import { closePool, configurePool } from '../execution/pool.ts';
import { Dispatcher } from './dispatcher.ts';
import { createObjectActor } from './object-actor.ts';
import { EventPoster, setCurrentPoster } from './posting.ts';
import type { ResourceContext } from './resource-services.ts';
import { Semaphore } from './semaphore.ts';
import { startWatcher, type Watcher } from './watchers.ts';
import type { ObjectActorOptions } from './object-actor.ts';
import type { TimelineSink } from './timeline.ts';
import { parseLivenessEndpoint } from '../observe/liveness-endpoint.ts';
import { startLiveness, type RunningLiveness } from './liveness.ts';
import { WatchHealthBoard } from './watch-health.ts';
import { OperatorIndexes } from '../indexing/indexes.ts';
import { ownedByAll, type Ownership } from './ownership.ts';
import { applyPeeringOptions, startPeering } from '../peering/peering.ts';
import { detectOwnId } from '../peering/identity.ts';
import { leaseNamespace, startSharding } from '../peering/sharding.ts';

/** Options of {@link runOperator} (and `kopf.run()`). */
export interface OperatorOptions {
  registry?: Registry;
  settings?: OperatorSettings;
  logger?: Logger;
  /** Namespace patterns (Kopf's globs with `!` exclusions); ignored when `clusterwide`. */
  namespaces?: string[];
  clusterwide?: boolean;
  /** No peering even if the peering CRD exists (Kopf's `standalone`; default: settings.peering.standalone). */
  standalone?: boolean;
  /** Our priority among the peers (Kopf's `priority`; `--dev` is 666). */
  priority?: number;
  /** The peering object's name; makes peering mandatory (Kopf's `peering_name`, `--peering`). */
  peeringName?: string;
  /** Share the objects among replicas by this many Lease-held shards (`--shards`; settings.sharding.shards). */
  shards?: number;
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  kubeconfig?: string;
  /** The operator's files (for sync handlers on the worker pool). */
  moduleUrls?: string[];
  /** A client to use instead of one built from the kubeconfig (tests read its request counters). */
  client?: KubeClient;
  /** Stops the operator when aborted. */
  signal?: AbortSignal;
  /** Called once the startup activities succeeded and the watches are started. */
  onReady?: () => void;
  /** Called while stopping, once the object actors are stopped: how many reactions were abandoned at the exit timeout. */
  onStopping?: (summary: { abandoned: number }) => void;
  memo?: object;
  /**
   * An XState inspection observer given to every object actor (and so to its children): the devtools', or
   * `@statelyai/inspect`'s `inspector.inspect`. It costs event throughput; unset (the default), nothing is observed.
   */
  inspect?: ObjectActorOptions['inspect'];
  /** Receives the objects' timelines (handler runs, patches, errors) for the devtools; unset by default. */
  timeline?: TimelineSink;
  /**
   * Kopf's `liveness_endpoint` (`--liveness`): serve the probes' results and the operator's health at
   * `http://HOST:PORT/PATH` once the startup handlers succeeded (docs/probes.md). Unset: no endpoint.
   */
  livenessEndpoint?: string;
  /**
   * Which objects this operator may handle now, besides peering's pause (src/engine/ownership.ts): objects
   * not owned are not handled, their daemons and timers stop, and they resume when owned again.
   */
  ownership?: Ownership;
}

const PLAIN_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** How long an exiting operator waits for daemons and timers: the longest cancellation backoff + timeout. */
function backgroundExitMs(registry: Registry, settings: OperatorSettings): number {
  const exit = settings.queueing.exitTimeout;
  let longest = exit;
  for (const h of registry.all()) {
    if (h.kind === 'daemon')
      longest = Math.max(longest, (h.cancellationBackoff ?? 0) + (h.cancellationTimeout ?? exit));
  }
  return (longest + 1) * 1000;
}

/** Runs the operator until `signal` aborts. Rejects only when it cannot start (no cluster, startup failed). */
export async function runOperator(options: OperatorOptions = {}): Promise<void> {
  const settings = options.settings ?? defaultSettings();
  const registry = options.registry ?? getDefaultRegistry();
  const logger = options.logger ?? configuredRootLogger();
  const memo = options.memo ?? new Memo();
  // Stops the operator when no credentials can be had any more (Kopf: "the API calls fail, and so does the operator").
  const loginLost = new AbortController();
  let loginFailure: LoginError | null = null;
  const signal = AbortSignal.any([options.signal ?? new AbortController().signal, loginLost.signal]);
  const clusterwide = options.clusterwide ?? !options.namespaces?.length;
  const patterns = options.namespaces ?? [];
  applyPeeringOptions(settings, { clusterwide, standalone: options.standalone, peeringName: options.peeringName, priority: options.priority, shards: options.shards });
  if (options.livenessEndpoint !== undefined) parseLivenessEndpoint(options.livenessEndpoint);
  const watches = new WatchHealthBoard();

  // Indexes (src/indexing): pre-created empty; until the first orchestration is done, nothing but indexing runs.
  const indexing = registry.indexIds().length > 0 ? new OperatorIndexes(registry.indexIds()) : undefined;
  indexing?.readiness.block('orchestration');
  indexing?.readiness.whenReady().then(
    () => logger.debug('The indexes are ready: every indexed resource was listed.'),
    () => {},
  );

  await runActivities(registry, 'startup', { settings, logger, memo, signal, indexes: indexing?.kwargs });
  storagesOf(settings); // a storage setting that is not a storage fails the start, named
  configurePool({
    maxThreads: settings.execution.maxWorkers,
    minThreads: settings.execution.minWorkers,
    idleTimeout: settings.execution.idleTimeout,
    maxQueue: settings.execution.maxQueue,
    resourceLimits: settings.execution.resourceLimits,
    moduleUrls: options.moduleUrls ?? [],
  });

  let loggedIn = false;
  const vault = options.client
    ? null
    : createVault(
        registry,
        {
          settings,
          logger,
          memo,
          signal,
          moduleUrls: options.moduleUrls ?? [],
          kubeconfig: options.kubeconfig,
        },
        (error) => {
          loginFailure = error;
          // The initial login's failure is the operator's rejection; a later one is logged as it stops it.
          if (loggedIn) logger.error(`${error.message} The operator stops.`);
          loginLost.abort();
        },
      );
  try {
    await vault?.login();
    loggedIn = true;
  } catch (err) {
    await closePool();
    throw err;
  }
  const connection = options.client?.connection ?? vault!.connection();
  const client =
    options.client ??
    new KubeClient(connection, {
      qps: settings.networking.qps,
      burst: settings.networking.burst,
      connections: settings.networking.connections,
      errorBackoffs: settings.networking.errorBackoffs,
      enforceRetryAfter: settings.networking.enforceRetryAfter,
      requestTimeout: settings.networking.requestTimeout,
      http2: settings.networking.http2,
      trustEnv: settings.networking.trustEnv,
      onRetry: ({ method, path, delay, error }) =>
        logger.warn(`${method} ${path} failed (${error.message}); retrying in ${delay} s.`),
    });
  logger.debug(`Client is configured for ${connection.server}.`);

  const events = new EventWriter(client, {
    ...settings.posting,
    defaultNamespace: connection.defaultNamespace,
  });
  const poster = new EventPoster(
    (r) => events.post(r.object, r.type, r.reason, r.message),
    settings,
    (err) => logger.warn(`Failed to post an event: ${(err as Error).message}`),
  );
  poster.start();
  setCurrentPoster((request) => poster.enqueue(request));

  // Kopf's peering (src/peering): while a peer of a higher priority lives, nothing is owned (all pauses);
  // sharding: only the objects of the shards whose Leases this replica holds are owned.
  const identity = detectOwnId(false);
  const peering = startPeering({ client, settings, logger, identity });
  const sharding = await startSharding({ client, settings, logger, identity, namespace: leaseNamespace(settings, patterns), inspect: options.inspect });
  const limiter = new Semaphore(settings.queueing.workerLimit);
  const contexts = new Map<string, ResourceContext>();
  const dispatcher = new Dispatcher((key, event) => {
    const scope = key.slice(0, key.lastIndexOf('/'));
    const ctx = contexts.get(scope);
    if (!ctx) throw new Error(`no resource context for ${scope}`);
    return createObjectActor(key, event, {
      resource: ctx,
      rootLogger: logger,
      operatorMemo: memo,
      limiter,
      poster,
      inspect: options.inspect,
      timeline: options.timeline,
    });
  }, logger, {
    ownership: ownedByAll([peering, sharding, options.ownership].filter((o): o is Ownership => o != null)),
    withdrawTimeoutMs: settings.queueing.exitTimeout * 1000,
    withdrawBackgroundTimeoutMs: backgroundExitMs(registry, settings),
  });

  const watchers = new Map<string, Watcher>();
  let servedNamespaces = new Set<string>(patterns.every((p) => PLAIN_NAME.test(p)) ? patterns : []);
  const dynamicNamespaces = !clusterwide && !patterns.every((p) => PLAIN_NAME.test(p));

  const reconcileWatchers = (): void => {
    peering?.adjust(clusterwide ? [undefined] : [...servedNamespaces]);
    const wanted = new Set<string>();
    for (const ctx of contexts.values()) {
      const scopes = clusterwide || !ctx.resource.namespaced ? [undefined] : [...servedNamespaces];
      for (const ns of scopes) {
        const key = `${resourceName(ctx.resource)}${ns ? `@${ns}` : ''}`;
        wanted.add(key);
        if (!watchers.has(key)) watchers.set(key, startWatcher(ctx, ns, dispatcher, logger, memo, watches));
      }
    }
    for (const [key, watcher] of watchers) {
      if (!wanted.has(key)) {
        watcher.stop();
        watchers.delete(key);
      }
    }
  };

  // Server-side sharding: the watches ask for the held shards only, so they restart when those change.
  let restartTimer: ReturnType<typeof setTimeout> | null = null;
  sharding?.subscribe(() => {
    if (!sharding.serverSide || restartTimer || signal.aborted) return;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (signal.aborted) return;
      for (const watcher of watchers.values()) watcher.stop();
      watchers.clear();
      reconcileWatchers();
    }, 200);
  });

  const rescan = async (): Promise<void> => {
    const resources = await discoverResources(client, { signal });
    const selected = new Map<string, Resource>();
    const selectorsOf = new Map<string, Set<Selector>>();
    for (const selector of registry.selectors()) {
      const resolution = selectResources(selector, resources);
      if (resolution.ambiguous.length) {
        logger.warn(
          `Ambiguous resources will not be served (try specifying API groups): ${selector.text} → ${resolution.ambiguous.map(resourceName).join(', ')}`,
        );
      } else if (resolution.unresolved) {
        logger.warn(`Unresolved resources cannot be served (try creating their CRDs): ${selector.text}`);
      }
      for (const r of resolution.resources) {
        selected.set(resourceName(r), r);
        const set = selectorsOf.get(resourceName(r)) ?? new Set<Selector>();
        set.add(selector);
        selectorsOf.set(resourceName(r), set);
      }
    }
    for (const [name, resource] of selected) {
      const selectors = selectorsOf.get(name) ?? new Set<Selector>();
      const existing = contexts.get(name);
      if (existing) existing.selectors = selectors;
      else
        contexts.set(name, {
          resource,
          settings,
          client,
          registry,
          moduleUrls: options.moduleUrls ?? [],
          selectors,
          indexing,
          shardSelector: sharding?.serverSide ? () => sharding.selector() : undefined,
        });
    }
    for (const name of [...contexts.keys()]) if (!selected.has(name)) contexts.delete(name);
    peering?.setResources(resources);
    reconcileWatchers();
  };

  let markNamespacesListed = (): void => {};
  const namespacesListed = new Promise<void>((resolve) => (markNamespacesListed = resolve));
  const background: Promise<void>[] = [];
  let liveness: RunningLiveness | null = null;
  try {
    if (options.livenessEndpoint !== undefined)
      liveness = await startLiveness({
        endpoint: options.livenessEndpoint,
        registry,
        settings,
        logger,
        memo,
        watches,
        indexes: indexing?.kwargs,
      });
    await rescan();
    indexing?.readiness.unblock('orchestration');
    if (dynamicNamespaces) background.push(followNamespaces());
    if (!settings.scanning.disabled) background.push(followCrds());
    logger.info(
      `kopf-ts operator is running (${clusterwide ? 'cluster-wide' : `namespaces: ${patterns.join(', ')}`}).`,
    );
    options.onReady?.();
    void allListed().then(() => {
      if (!signal.aborted) logger.info('The operator is ready: every watched resource is listed.');
    });
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    logger.info('Stopping the operator…');
    if (restartTimer) clearTimeout(restartTimer);
    await liveness?.close();
    for (const watcher of watchers.values()) watcher.stop();
    await Promise.all([...watchers.values()].map((w) => w.done));
    const left = await dispatcher.stopAll(
      settings.queueing.exitTimeout * 1000,
      backgroundExitMs(registry, settings),
    );
    if (left) logger.warn(`${left} objects were still reacting at exit; they continue after a restart.`);
    await Promise.all([peering?.stop(), sharding?.stop()]);
    options.onStopping?.({ abandoned: left });
    await Promise.allSettled(background);
    await closePool();
    await poster.stop();
    setCurrentPoster(null);
    indexing?.readiness.clear();
    await runActivities(registry, 'cleanup', {
      settings,
      logger,
      memo,
      signal: new AbortController().signal,
      indexes: indexing?.kwargs,
    }).catch((err: unknown) => logger.error(`Cleanup failed: ${(err as Error).message}`));
    if (!options.client) await client.close();
    logger.info('The operator has stopped.');
  }
  if (loginFailure) throw loginFailure;

  /** Resolves when every watch started so far (after the namespaces are known, for globs) has listed once. */
  async function allListed(): Promise<void> {
    if (dynamicNamespaces) await namespacesListed;
    for (;;) {
      const current = [...watchers.values()];
      await Promise.all(current.map((w) => w.listed));
      if ([...watchers.values()].every((w) => current.includes(w))) return;
    }
  }

  async function followNamespaces(): Promise<void> {
    const health = watches.track('namespaces');
    for await (const item of watchObjects({
      client,
      resource: NAMESPACE_RESOURCE,
      signal,
      pageSize: settings.watching.listPageSize,
      health,
    })) {
      if (item.kind === 'listed') {
        reconcileWatchers();
        markNamespacesListed();
        continue;
      }
      const ns = item.event.object;
      const name = ns.metadata.name ?? '';
      const gone =
        item.event.type === 'DELETED' ||
        (ns.metadata.deletionTimestamp &&
          !(ns.status as { conditions?: unknown[] } | undefined)?.conditions?.length);
      const next = new Set(servedNamespaces);
      if (!gone && matchAnyNamespace(name, patterns)) next.add(name);
      else next.delete(name);
      if (next.size !== servedNamespaces.size || [...next].some((n) => !servedNamespaces.has(n))) {
        servedNamespaces = next;
        if (item.event.type !== null) reconcileWatchers();
      }
    }
  }

  async function followCrds(): Promise<void> {
    const health = watches.track('customresourcedefinitions');
    for await (const item of watchObjects({
      client,
      resource: CRD_RESOURCE,
      signal,
      pageSize: settings.watching.listPageSize,
      health,
    })) {
      if (item.kind === 'listed' || item.event.type === null) continue;
      try {
        await rescan();
      } catch (err) {
        if (!signal.aborted) logger.warn(`Rescanning the resources failed: ${(err as Error).message}`);
      }
    }
  }
}
