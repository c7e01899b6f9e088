/**
 * The operator's Prometheus metrics (docs/metrics.md lists them): one prom-client Registry per operator (never
 * prom-client's global one, so two operators in one process never collide), the `kopf_ts_*` families named in
 * the style of controller-runtime's, plus Node's process metrics (`process_*`, `nodejs_*`). Counters and
 * histograms are recorded as things happen through the cheap methods of {@link MetricsRecorder} (series kept as
 * plain numbers, src/observe/metrics-series.ts); gauges of state (actors by state, the pool, the event loop) are read from
 * their sources only when scraped. Created by src/engine/metrics.ts (loaded only with `--metrics`), served by
 * src/observe/metrics-server.ts.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { EventLoopLag } from './event-loop-lag.ts';
import { SeriesCounter, SeriesHistogram } from './metrics-series.ts';
import type { HandlerOutcome, MetricsRecorder } from './metrics-recorder.ts';

/** What the pool reports at a scrape (src/execution/pool.ts); null while it has not started. */
export interface PoolFigures {
  threads: number;
  maxThreads: number;
  queueSize: number;
  /** 0…1: the share of the threads' capacity used since the pool started (Piscina's `utilization`). */
  utilization: number;
  completed: number;
}

/** Where the scrape-time gauges read from; each is optional (an absent source reads as nothing or 0). */
export interface MetricsSources {
  /** The state of every live object actor (`idle`, `creating`, …), each yielded once per actor. */
  actorStates?: () => Iterable<string>;
  /** How many object actors are passivated (persisted and stopped); 0 until passivation exists. */
  passivatedActors?: () => number;
  /** The reactions running now and the limit (`settings.queueing.workerLimit`; Infinity: none). */
  workers?: () => { active: number; limit: number };
  pool?: () => PoolFigures | null;
}

/** Seconds: 1 ms … ~16 s for handlers (controller-runtime's reconcile buckets reach 60 s: so do ours). */
const HANDLER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds: client-go's request latency buckets, from 5 ms. */
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
/** The window of the event-loop lag gauge (a scrape every 15–60 s sees every stall since the last one). */
const LAG_WINDOW_SECONDS = 60;
/** The states of object actors, always exported (0 when empty) so that dashboards see every series. */
const ACTOR_STATES = [
  'idle',
  'observing',
  'creating',
  'updating',
  'resuming',
  'deleting',
  'retrying',
  'throttled',
  'awaitingBackground',
  'releasing',
];

/** One operator's metrics. */
export class OperatorMetrics implements MetricsRecorder {
  /** The operator's own registry (scrape it with `registry.metrics()`). */
  readonly registry = new Registry();
  #sources: MetricsSources = {};
  readonly #lag = new EventLoopLag();

  readonly #handlerRuns = new SeriesCounter({
    name: 'kopf_ts_handler_runs_total',
    help: 'Handler attempts, by handler id, cause (create, update, resume, delete, event, daemon, timer) and outcome (success, temporary, permanent, ignored).',
    labelNames: ['handler', 'cause', 'outcome'] as const,
    registry: this.registry,
  });
  readonly #handlerErrors = new SeriesCounter({
    name: 'kopf_ts_handler_errors_total',
    help: 'Handler attempts that failed (temporarily or permanently), by handler id and cause.',
    labelNames: ['handler', 'cause'] as const,
    registry: this.registry,
  });
  readonly #handlerDuration = new SeriesHistogram({
    name: 'kopf_ts_handler_duration_seconds',
    help: 'How long one handler attempt took, by handler id and cause.',
    labelNames: ['handler', 'cause'] as const,
    buckets: HANDLER_BUCKETS,
    registry: this.registry,
  });
  readonly #coalesced = new SeriesCounter({
    name: 'kopf_ts_events_coalesced_total',
    help: 'Watch events held while their object was busy, and merged into the next reaction (only the newest is handled).',
    labelNames: ['resource'] as const,
    registry: this.registry,
  });
  readonly #watchEvents = new SeriesCounter({
    name: 'kopf_ts_watch_events_total',
    help: 'Watch events received (the initial listing as type LISTED), by resource and type.',
    labelNames: ['resource', 'type'] as const,
    registry: this.registry,
  });
  readonly #watchRestarts = new SeriesCounter({
    name: 'kopf_ts_watch_restarts_total',
    help: 'Watch streams that ended and were opened again, by resource and reason (closed, gone, failed).',
    labelNames: ['resource', 'reason'] as const,
    registry: this.registry,
  });
  readonly #relists = new SeriesCounter({
    name: 'kopf_ts_watch_relists_total',
    help: 'Listings after the first one (the resourceVersion expired: 410 Gone), by resource.',
    labelNames: ['resource'] as const,
    registry: this.registry,
  });
  readonly #apiRequests = new SeriesCounter({
    name: 'kopf_ts_api_requests_total',
    help: 'HTTP requests to the API server, by verb, resource and status code ("error": no response).',
    labelNames: ['verb', 'resource', 'code'] as const,
    registry: this.registry,
  });
  readonly #apiDuration = new SeriesHistogram({
    name: 'kopf_ts_api_request_duration_seconds',
    help: 'Time from sending an API request to its response headers, by verb and resource (a watch: until the stream opens).',
    labelNames: ['verb', 'resource'] as const,
    buckets: API_BUCKETS,
    registry: this.registry,
  });
  readonly #apiRetries = new SeriesCounter({
    name: 'kopf_ts_api_retries_total',
    help: 'API requests retried after a 429, a 5xx or a connection error, by verb, resource and code.',
    labelNames: ['verb', 'resource', 'code'] as const,
    registry: this.registry,
  });

  constructor() {
    const sources = (): MetricsSources => this.#sources;
    new Gauge({
      name: 'kopf_ts_object_actors',
      help: 'Live object actors (one per watched object), by the state of their machine.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const counts = new Map<string, number>(ACTOR_STATES.map((s) => [s, 0]));
        for (const state of sources().actorStates?.() ?? []) counts.set(state, (counts.get(state) ?? 0) + 1);
        this.reset();
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'kopf_ts_object_actors_passivated',
      help: 'Object actors passivated: persisted and stopped while idle, restored by their next event.',
      registers: [this.registry],
      collect() {
        this.set(sources().passivatedActors?.() ?? 0);
      },
    });
    new Gauge({
      name: 'kopf_ts_active_workers',
      help: 'Reactions running now (controller-runtime: active_workers).',
      registers: [this.registry],
      collect() {
        this.set(sources().workers?.().active ?? 0);
      },
    });
    new Gauge({
      name: 'kopf_ts_max_concurrent_reactions',
      help: 'The limit of reactions at once, settings.queueing.workerLimit (+Inf: none).',
      registers: [this.registry],
      collect() {
        this.set(sources().workers?.().limit ?? Number.POSITIVE_INFINITY);
      },
    });
    const pool = (pick: (p: PoolFigures) => number) =>
      function (this: Gauge) {
        const figures = sources().pool?.();
        this.set(figures ? pick(figures) : 0);
      };
    const poolGauge = (name: string, help: string, pick: (p: PoolFigures) => number): void => {
      new Gauge({ name, help, registers: [this.registry], collect: pool(pick) });
    };
    poolGauge(
      'kopf_ts_pool_threads',
      'Worker threads of the sync-handler pool (0 until its first task).',
      (p) => p.threads,
    );
    poolGauge('kopf_ts_pool_max_threads', 'The most worker threads the pool may start.', (p) => p.maxThreads);
    poolGauge(
      'kopf_ts_pool_queue_length',
      'Sync-handler calls waiting for a free worker thread.',
      (p) => p.queueSize,
    );
    poolGauge(
      'kopf_ts_pool_utilization',
      "The pool threads' busy share since the pool started (0…1).",
      (p) => p.utilization,
    );
    new Counter({
      name: 'kopf_ts_pool_tasks_completed_total',
      help: 'Sync-handler calls the pool completed.',
      registers: [this.registry],
      collect() {
        // A counter read from its source: it only grows while the pool lives (a new pool starts at 0 again).
        this.reset();
        this.inc(sources().pool?.()?.completed ?? 0);
      },
    });
    const lag = this.#lag;
    new Gauge({
      name: 'kopf_ts_event_loop_lag_seconds',
      help: `The longest the event loop was held (ticks late by 50 ms or more) within the last ${LAG_WINDOW_SECONDS} s.`,
      registers: [this.registry],
      collect() {
        this.set(lag.worst(LAG_WINDOW_SECONDS));
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The content type of {@link scrape}'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Where the scrape-time gauges read from (replaces the previous sources). */
  setSources(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** The metrics in the Prometheus text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.#lag.stop();
  }

  handlerRun(handler: string, cause: string, outcome: HandlerOutcome, seconds: number): void {
    this.#handlerRuns.inc([handler, cause, outcome]);
    if (outcome === 'temporary' || outcome === 'permanent') this.#handlerErrors.inc([handler, cause]);
    this.#handlerDuration.observe([handler, cause], seconds);
  }

  eventCoalesced(resource: string): void {
    this.#coalesced.inc([resource]);
  }

  watchEvent(resource: string, type: string): void {
    this.#watchEvents.inc([resource, type]);
  }

  watchRestart(resource: string, reason: string): void {
    this.#watchRestarts.inc([resource, reason]);
  }

  relist(resource: string): void {
    this.#relists.inc([resource]);
  }

  apiRequest(verb: string, resource: string, code: number | 'error', seconds: number): void {
    this.#apiRequests.inc([verb, resource, String(code)]);
    this.#apiDuration.observe([verb, resource], seconds);
  }

  apiRetry(verb: string, resource: string, code: number | 'error'): void {
    this.#apiRetries.inc([verb, resource, String(code)]);
  }
}
