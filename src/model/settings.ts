/**
 * Operator settings: the equivalent of Kopf's `kopf.OperatorSettings`, grouped by concern, every field with
 * its default here and only here. Documented field by field in docs/settings.md.
 *
 * Built by the engine (`defaultSettings()`, then changed by startup handlers or `kopf.run({ settings })`);
 * read by src/kube (networking, watching), src/execution (execution) and src/engine (everything else).
 */
import type { DiffBaseStorage } from './diffbase-storages.ts';
import type { ProgressStorage } from './progress-storages.ts';
import type { SensitiveResource } from './sensitive.ts';
import type { WebhookServerProtocol } from './reviews.ts';

/** The settings tree. Times are in seconds, as in Kopf. */
export interface OperatorSettings {
  posting: {
    /** Post Kubernetes Events from `kopf.event/info/warn/exception`. */
    enabled: boolean;
    /** Also post the handlers' log records (at `level` or above) as Events. */
    loggers: boolean;
    /** The lowest level posted: 'debug' | 'info' | 'warn' | 'error'. */
    level: 'debug' | 'info' | 'warn' | 'error';
    reportingComponent: string;
    reportingInstance: string;
    eventNamePrefix: string;
    /** Repeats of the same event (object, type, reason, message) within this window are aggregated. */
    aggregationWindow: number;
  };
  watching: {
    /** `timeoutSeconds` sent with WATCH requests; null: none. */
    serverTimeout: number | null;
    /** Seconds of silence (no event, no bookmark) after which a watch is re-opened. */
    inactivityTimeout: number;
    /** Base delay before re-opening a watch; jittered. */
    reconnectBackoff: number;
    /** Page size of LIST requests. */
    listPageSize: number;
    /**
     * Stream the initial state as a WATCH with `sendInitialEvents=true` where the API server serves it (on by
     * default since Kubernetes 1.34); false, or a server that refuses it (422/400): paginated LISTs.
     */
    streamingLists: boolean;
    /**
     * Keep `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration` annotation in
     * the bodies handlers see; false (the default): both are dropped as bodies arrive (docs/settings.md).
     */
    keepManagedFields: boolean;
  };
  queueing: {
    /** How many objects may react at once; null: unlimited. */
    workerLimit: number | null;
    /** Delays after framework/API errors of one object (the last repeats; a success resets). */
    errorDelays: number[];
    /** Seconds given to in-flight reactions at shutdown before they are cancelled. */
    exitTimeout: number;
  };
  scanning: {
    /** Do not watch CRDs for new resources after startup. */
    disabled: boolean;
  };
  execution: {
    /** Delay before retrying after an arbitrary exception in 'temporary' errors mode. */
    defaultBackoff: number;
    /** Worker threads for sync handlers; null: the number of cores. */
    maxWorkers: number | null;
    minWorkers: number | null;
    /** Milliseconds an idle worker thread is kept. */
    idleTimeout: number;
    /** Maximum queued sync tasks; null: unlimited. */
    maxQueue: number | null;
    /** Heap limits of each worker thread (Node's Worker `resourceLimits`, in MB); null: Node's defaults. */
    resourceLimits: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number } | null;
    /**
     * Seconds an object actor stays idle (no reaction, no retry pending, no daemons or timers) before it is
     * passivated: stopped and reduced to its key and last resourceVersion, restored by the object's next event
     * (docs/architecture.md). null: never.
     */
    passivateAfter: number | null;
    /**
     * After a wave of this many actors ended (passivated, or their objects gone), run one compacting,
     * memory-reducing garbage collection once the wave is over (at most every 10 s), so that the process
     * gives back the memory the burst grew into (docs/architecture.md). null: never.
     */
    releaseMemoryAfter: number | null;
    /**
     * Above this many live object actors, idle ones are passivated at once (oldest first, down to 90 % of it)
     * instead of after `passivateAfter`: it bounds the memory of a burst, such as resuming 100,000 objects after
     * a restart (docs/architecture.md). null: no cap. Has no effect when `passivateAfter` is null.
     */
    maxLiveActors: number | null;
  };
  networking: {
    /** Seconds for one non-watch request. */
    requestTimeout: number;
    connectTimeout: number | null;
    /** Delays between retries of 5xx, 429 and connection errors (then the error escalates). */
    errorBackoffs: number[];
    /** Always wait as long as `Retry-After` says, even when it is shorter than the backoff. */
    enforceRetryAfter: boolean;
    /** Client-side rate limit: requests per second (0: none, as Kopf), and the burst above it. */
    qps: number;
    burst: number;
    /** Connections to the API server for requests (watch streams have their own). */
    connections: number;
    /** Multiplex all requests over one HTTP/2 connection (when the server offers it). */
    http2: boolean;
    /** Use the proxies of HTTP_PROXY / HTTPS_PROXY / NO_PROXY (a kubeconfig `proxy-url` wins), as Kopf's `trust_env`. */
    trustEnv: boolean;
    /**
     * The HTTP stack: 'undici' (less CPU per request, shorter event-loop stalls) or 'node' (Node's own agents:
     * about 8 MiB less RSS; undici is then loaded only for a proxy or HTTP/2). See docs/benchmarks.md.
     */
    transport: 'undici' | 'node';
  };
  persistence: {
    /** The prefix of the annotations kopf-ts writes: an operator's identity, as in Kopf. */
    prefix: string;
    finalizer: string;
    /** Also write Kopf's V1 progress keys (kept for compatibility with older Kopf). */
    v1Keys: boolean;
    /** Write results that did not change again (false: skip them, saving writes). */
    rewriteUnchangedResults: boolean;
    /** Where handlers' progress lives (Kopf's classes); null: `SmartProgressStorage` with `prefix` and `v1Keys`. */
    progressStorage: ProgressStorage | null;
    /** Where the last handled essence lives; null: `AnnotationsDiffBaseStorage` with `prefix` and `v1Keys`. */
    diffbaseStorage: DiffBaseStorage | null;
    /** Accepted for Kopf compatibility; kopf-ts never waits for its own patches' echo (docs/settings.md). */
    consistencyTimeout: number;
    /**
     * Resources whose fields hold secrets (not in Kopf): their values are stored only as digests in the diff-base
     * and never logged nor shown in the devtools (docs/sensitive.md). Default: a Secret's `data` and `stringData`.
     */
    sensitive: SensitiveResource[];
    /** The HMAC key of the sensitive values' digests; null: each object's uid (docs/sensitive.md). */
    digestKey: string | null;
  };
  background: {
    cancellationPolling: number;
  };
  /** The liveness endpoint (`--liveness`); see docs/probes.md. Not in Kopf, which checks only its probes. */
  liveness: {
    /** Seconds the probe handlers' results are reused (Kopf's fixed 10 s). */
    cachingPeriod: number;
    /** Seconds a watch may keep failing (no LIST or WATCH succeeding) before the operator is not alive. */
    watchFailureLimit: number;
    /** Seconds the event loop may be blocked (a timer late by that much) before the operator is not alive. */
    eventLoopLagLimit: number;
  };
  /** Kopf's peering (docs/scaling.md): operators on one peering object see each other; lower priorities pause. */
  peering: {
    /** The name of the KopfPeering / ClusterKopfPeering object: operators on other names do not see each other. */
    name: string;
    /** Do not log the keep-alives (pauses, resumes and a missing peering object are logged anyway). */
    stealth: boolean;
    /** This operator's priority: it pauses while a live peer has a higher one (or the same: all of them pause). */
    priority: number;
    /** Seconds our record is valid for the peers; the keep-alive renews it 5–10 s earlier. */
    lifetime: number;
    /** Peering is required: without the peering CRD the operator stays paused (set by `--peering NAME`). */
    mandatory: boolean;
    /** No peering at all, even if the CRD exists (`--standalone`). */
    standalone: boolean;
    /** ClusterKopfPeering (cluster-wide operators, `-A`) rather than a KopfPeering in every served namespace. */
    clusterwide: boolean;
  };
  /** Scale-out (docs/scaling.md): replicas share the objects by shards, each shard a Lease held by one replica. */
  sharding: {
    /** How many shards (`--shards S`); null: no sharding (every replica handles everything). 1: leader election. */
    shards: number | null;
    /** The sharding group: the Leases are `NAME-shard-I-of-S` and `NAME-member-…` (one group per operator). */
    name: string;
    /** Where the Leases live; null: the first served namespace, else `default`. */
    namespace: string | null;
    /** Seconds a Lease is valid after its last renewal: a dead replica's shards are taken after this. */
    leaseDuration: number;
    /** Seconds without a successful renewal after which a holder stops handling the shard (< leaseDuration). */
    renewDeadline: number;
    /** Seconds between renewals, attempts to acquire, and looks at the other replicas. */
    retryPeriod: number;
    /** Use the apiserver's shardSelector (ShardedListAndWatch) when it is offered: watch only the held shards. */
    serverSide: boolean;
  };
  /** Admission webhooks (docs/admission.md): Kopf's `settings.admission`. */
  admission: {
    /** The webhook server or tunnel (`new kopf.WebhookServer(…)` & co.); required when admission handlers exist. */
    server: WebhookServerProtocol | null;
    /** The name of the Validating/MutatingWebhookConfiguration the operator keeps up to date; null: not managed. */
    managed: string | null;
    /** `timeoutSeconds` of the managed webhooks (1–30); each request is answered within it. */
    timeoutSeconds: number;
    /** The largest review body the server reads, in bytes; larger ones get 413. */
    maxBodySize: number;
  };
  process: {
    /**
     * `kopf-ts run` only: seconds to wait, after the cleanup handlers, for what handlers started and left running
     * (timers, sockets, file operations, child processes) before exiting anyway. Kopf's fixed 5 s for hung tasks.
     */
    hungTasksTimeout: number;
  };
}

/** A fresh settings tree with every default. */
export function defaultSettings(): OperatorSettings {
  return {
    posting: {
      enabled: true,
      loggers: false,
      level: 'info',
      reportingComponent: 'kopf',
      reportingInstance: 'dev',
      eventNamePrefix: 'kopf-event-',
      aggregationWindow: 60,
    },
    watching: { serverTimeout: null, inactivityTimeout: 70, reconnectBackoff: 0.1, listPageSize: 500, streamingLists: true, keepManagedFields: false },
    queueing: {
      workerLimit: null,
      errorDelays: [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610],
      exitTimeout: 2,
    },
    scanning: { disabled: false },
    execution: { defaultBackoff: 60, maxWorkers: null, minWorkers: null, idleTimeout: 60_000, maxQueue: null, resourceLimits: null, passivateAfter: 60, releaseMemoryAfter: 500, maxLiveActors: 10_000 },
    networking: {
      requestTimeout: 300,
      connectTimeout: null,
      errorBackoffs: [1, 1, 2, 3, 5, 8, 13, 21],
      enforceRetryAfter: false,
      qps: 0,
      burst: 100,
      connections: 100,
      http2: false,
      transport: 'undici',
      trustEnv: false,
    },
    persistence: {
      prefix: 'kopf.zalando.org',
      finalizer: 'kopf.zalando.org/KopfFinalizerMarker',
      v1Keys: true,
      rewriteUnchangedResults: false,
      progressStorage: null,
      diffbaseStorage: null,
      consistencyTimeout: 5,
      sensitive: [{ resource: { group: '', plural: 'secrets' }, fields: ['data', 'stringData'] }],
      digestKey: null,
    },
    background: { cancellationPolling: 60 },
    liveness: { cachingPeriod: 10, watchFailureLimit: 60, eventLoopLagLimit: 5 },
    peering: { name: 'default', stealth: false, priority: 0, lifetime: 60, mandatory: false, standalone: false, clusterwide: false },
    sharding: { shards: null, name: 'kopf-ts', namespace: null, leaseDuration: 15, renewDeadline: 10, retryPeriod: 2, serverSide: true },
    admission: { server: null, managed: null, timeoutSeconds: 30, maxBodySize: 8 * 1024 * 1024 },
    process: { hungTasksTimeout: 5 },
  };
}
