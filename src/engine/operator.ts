/**
 * The operator: runs startup activities, logs in (login handlers, else the kubeconfig), discovers resources, resolves the handlers' selectors,
 * starts one watch loop per (resource × namespace) feeding the dispatcher, follows namespaces and CRDs as they
 * come and go, and stops gracefully (watches closed, in-flight reactions given `queueing.exitTimeout`,
 * queued Events posted, cleanup activities run). Called by `kopf-ts run` (src/cli/run.ts) and by embedders
 * through `kopf.run()` / `kopf.operator()` in the front door.
 */
import { Memo } from '../model/memo.ts';
import { resourceName, type Resource } from '../model/resource.ts';
import { defaultSettings, type OperatorSettings } from '../model/settings.ts';
import { storagesOf } from '../model/storages.ts';
import { KubeClient } from '../kube/client.ts';
import type { LoginError } from '../kube/vault.ts';
import { discoverResources } from '../kube/discovery.ts';
import { EventWriter } from '../kube/events.ts';
import { getDefaultRegistry, registryRef, type Registry } from '../handlers/registry.ts';
import { configuredRootLogger } from '../observe/configure.ts';
import { runActivities } from './activities.ts';
import { checkSensitive } from './sensitive.ts';
import { createVault } from './login.ts';
import { WorkerPool } from '../execution/pool.ts';
import { Dispatcher } from './dispatcher.ts';
import { createObjectActor } from './object-actor.ts';
import { EventPoster, runInOperatorScope, type EventSink, type OperatorScope } from './posting.ts';
import type { ResourceContext } from './resource-services.ts';
import { Semaphore } from './semaphore.ts';
import { EventQueues } from './event-queues.ts';
import { startWatcher, type Watcher } from './watchers.ts';
import { followCrds, followNamespaces } from './scope-followers.ts';
import { servedResources } from './resource-selection.ts';
import { parseLivenessEndpoint } from '../observe/liveness-endpoint.ts';
import { parseMetricsEndpoint } from '../observe/metrics-endpoint.ts';
import type { EngineMetrics } from './metrics.ts';
import { startLiveness, type RunningLiveness } from './liveness.ts';
import { WatchHealthBoard } from './watch-health.ts';
import { OperatorIndexes } from '../indexing/indexes.ts';
import { ownedByAll, type Ownership } from './ownership.ts';
import { applyPeeringOptions, startPeering } from '../peering/peering.ts';
import { detectOwnId } from '../peering/identity.ts';
import { leaseNamespace, startSharding } from '../peering/sharding.ts';
import { startAdmission, type RunningAdmission } from '../admission/admission.ts';
import { admissionTimeline } from './admission-timeline.ts';
import type { OperatorOptions } from './operator-options.ts';
import { MemoryRelease } from './memory-release.ts';

export type { OperatorOptions } from './operator-options.ts';

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

/**
 * Runs the operator until `signal` aborts. Rejects only when it cannot start (no cluster, startup failed).
 * Everything it holds is its own (pool, Event queue, registry, watches): several operators may run in one
 * process, and stopping one leaves the others serving.
 */
export async function runOperator(options: OperatorOptions = {}): Promise<void> {
  const scope: OperatorScope = { poster: null };
  await runInOperatorScope(scope, () => serveOperator(options, scope));
}

async function serveOperator(options: OperatorOptions, scope: OperatorScope): Promise<void> {
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
  if (options.metricsEndpoint !== undefined) parseMetricsEndpoint(options.metricsEndpoint);
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
  checkSensitive(settings); // so does a bad entry of settings.persistence.sensitive
  // This operator's own pool: its threads import this operator's files and look handlers up in its registry.
  const pool = new WorkerPool({
    maxThreads: settings.execution.maxWorkers,
    minThreads: settings.execution.minWorkers,
    idleTimeout: settings.execution.idleTimeout,
    maxQueue: settings.execution.maxQueue,
    resourceLimits: settings.execution.resourceLimits,
    moduleUrls: options.moduleUrls ?? [],
    registry: registryRef(registry),
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
          pool,
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
    await pool.close({ force: true });
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
      connectTimeout: settings.networking.connectTimeout,
      http2: settings.networking.http2,
      trustEnv: settings.networking.trustEnv,
      transport: settings.networking.transport,
      onRetry: ({ method, path, delay, error }) =>
        logger.warn(`${method} ${path} failed (${error.message}); retrying in ${delay} s.`),
    });
  logger.debug(`Client is configured for ${connection.server}.`);
  const metrics: EngineMetrics | null =
    options.metricsEndpoint === undefined
      ? null
      : (await import('./metrics.ts')).operatorMetrics({
          endpoint: options.metricsEndpoint,
          livenessEndpoint: options.livenessEndpoint,
          client,
          logger,
        });

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
  const postEvent: EventSink = (request) => poster.enqueue(request);
  scope.poster = postEvent;

  // Kopf's peering (src/peering): while a peer of a higher priority lives, nothing is owned (all pauses);
  // sharding: only the objects of the shards whose Leases this replica holds are owned.
  const identity = detectOwnId(false);
  const peering = startPeering({ client, settings, logger, identity });
  const sharding = await startSharding({ client, settings, logger, identity, namespace: leaseNamespace(settings, patterns), inspect: options.inspect });
  const limiter = new Semaphore(settings.queueing.workerLimit);
  const eventQueues = new EventQueues(limiter);
  const contexts = new Map<string, ResourceContext>();
  const dispatcher = new Dispatcher((key, event, restored) => {
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
      metrics: metrics?.recorder,
    }, restored);
  }, logger, {
    ownership: ownedByAll([peering, sharding, options.ownership].filter((o): o is Ownership => o != null)),
    withdrawTimeoutMs: settings.queueing.exitTimeout * 1000,
    withdrawBackgroundTimeoutMs: backgroundExitMs(registry, settings),
    memoryRelease:
      settings.execution.releaseMemoryAfter === null ? undefined : new MemoryRelease(logger, { threshold: settings.execution.releaseMemoryAfter }),
    maxLiveActors: settings.execution.maxLiveActors,
  });
  metrics?.watch({ dispatcher, limiter, pool, passivatedActors: () => dispatcher.passivatedCount });

  const watchers = new Map<string, Watcher>();
  const background: Promise<void>[] = [];
  let servedNamespaces = new Set<string>(patterns.every((p) => PLAIN_NAME.test(p)) ? patterns : []);
  const dynamicNamespaces = !clusterwide && !patterns.every((p) => PLAIN_NAME.test(p));

  const watchedScopes = new Map<string, { scope: string; namespace: string | undefined }>();
  const reconcileWatchers = (): void => {
    peering?.adjust(clusterwide ? [undefined] : [...servedNamespaces]);
    const wanted = new Set<string>();
    for (const ctx of contexts.values()) {
      const scopes = clusterwide || !ctx.resource.namespaced ? [undefined] : [...servedNamespaces];
      for (const ns of scopes) {
        const key = `${resourceName(ctx.resource)}${ns ? `@${ns}` : ''}`;
        wanted.add(key);
        if (!watchers.has(key)) {
          watchers.set(key, startWatcher(ctx, ns, dispatcher, logger, memo, watches));
          watchedScopes.set(key, { scope: resourceName(ctx.resource), namespace: ns });
        }
      }
    }
    for (const [key, watcher] of watchers) {
      if (!wanted.has(key)) {
        watcher.stop();
        watchers.delete(key);
        const { scope, namespace } = watchedScopes.get(key)!;
        watchedScopes.delete(key);
        background.push(stopScope(watcher, scope, namespace));
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

  /** Stops the actors (with their daemons and timers) of a scope no longer served, once its watch has ended. */
  const stopScope = async (watcher: Watcher, scope: string, namespace: string | undefined): Promise<void> => {
    await watcher.done;
    const gone = !contexts.has(scope);
    const where = `${scope}${namespace ? ` in ${namespace}` : ''}`;
    const stopped = await dispatcher.stopScope(
      scope,
      namespace,
      gone ? 'RESOURCE_DELETED' : 'FILTERS_MISMATCH',
      settings.queueing.exitTimeout * 1000,
      backgroundExitMs(registry, settings),
    );
    logger.info(`Stopped watching ${where} (no longer served) and the actors of its ${stopped} objects.`);
  };

  let discovered: Resource[] = [];
  const deletedCrds = new Set<string>();
  const rescan = async (groups?: ReadonlySet<string>): Promise<void> => {
    // Discovery of the changed groups only (a CRD event names its group), else of everything.
    const found = (await discoverResources(client, { signal, ...(groups ? { groups } : {}) })).filter(
      (r) => !deletedCrds.has(`${r.group}/${r.plural}`), // discovery may lag behind a CRD's deletion
    );
    discovered = groups ? [...discovered.filter((r) => !groups.has(r.group)), ...found] : found;
    const resources = discovered;
    const selected = servedResources(registry.selectors(), resources, logger);
    for (const [name, { resource, selectors }] of selected) {
      const existing = contexts.get(name);
      if (existing) existing.selectors = selectors;
      else
        contexts.set(name, {
          resource,
          settings,
          client,
          registry,
          pool,
          postEvent,
          selectors,
          indexing,
          shardSelector: sharding?.serverSide ? () => sharding.selector() : undefined,
          metrics: metrics?.recorder,
          eventQueues,
        });
    }
    for (const name of [...contexts.keys()]) if (!selected.has(name)) contexts.delete(name);
    peering?.setResources(resources);
    reconcileWatchers();
  };

  let markNamespacesListed = (): void => {};
  const namespacesListed = new Promise<void>((resolve) => (markNamespacesListed = resolve));
  let liveness: RunningLiveness | null = null;
  let admission: RunningAdmission | null = null;
  try {
    if (options.livenessEndpoint !== undefined)
      liveness = await startLiveness({
        endpoint: options.livenessEndpoint,
        pool,
        registry,
        settings,
        logger,
        memo,
        watches,
        indexes: indexing?.kwargs,
        routes: metrics?.livenessRoutes,
      });
    await metrics?.serve(liveness?.url);
    await rescan();
    // Admission webhooks (src/admission): served once the resources are known, as in Kopf.
    admission = await startAdmission({
      registry,
      settings,
      client,
      logger,
      memo,
      pool,
      indexes: indexing?.kwargs,
      apiServer: connection.server,
      namespaces: !clusterwide && !dynamicNamespaces ? patterns : null,
      inspect: options.inspect,
      events: postEvent,
      onReview: options.timeline ? admissionTimeline(options.timeline) : undefined,
    });
    indexing?.readiness.unblock('orchestration');
    if (dynamicNamespaces) background.push(namespacesFollowed());
    if (!settings.scanning.disabled) background.push(crdsFollowed());
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
    await admission?.stop();
    await metrics?.close();
    for (const watcher of watchers.values()) watcher.stop();
    await Promise.all([...watchers.values()].map((w) => w.done));
    const [, left] = await Promise.all([
      eventQueues.stop(settings.queueing.exitTimeout * 1000),
      dispatcher.stopAll(settings.queueing.exitTimeout * 1000, backgroundExitMs(registry, settings)),
    ]);
    if (left) logger.warn(`${left} objects were still reacting at exit; they continue after a restart.`);
    await Promise.all([peering?.stop(), sharding?.stop()]);
    options.onStopping?.({ abandoned: left });
    await Promise.allSettled(background);
    await pool.close({ force: true });
    await poster.stop();
    scope.poster = null;
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

  function namespacesFollowed(): Promise<void> {
    return followNamespaces({
      client,
      signal,
      settings,
      watches,
      patterns,
      initial: servedNamespaces,
      onChange: (served, listed) => {
        servedNamespaces = new Set(served);
        reconcileWatchers();
        if (listed) markNamespacesListed();
      },
    });
  }

  function crdsFollowed(): Promise<void> {
    return followCrds({
      client,
      signal,
      settings,
      watches,
      deleted: deletedCrds,
      // Rediscover the changed groups, then the admission handlers' resources too (src/admission).
      onGroups: (groups) =>
        rescan(groups)
          .catch((err: unknown) => {
            if (!signal.aborted) logger.warn(`Rescanning the resources failed: ${(err as Error).message}`);
          })
          .then(() => admission?.refresh()),
    });
  }
}
