/**
 * The operator's Prometheus metrics, wired into a running operator (`--metrics HOST:PORT`,
 * `kopf.run({ metricsEndpoint })`): an {@link OperatorMetrics} of its own, the client's requests observed, the
 * scrape-time gauges reading the dispatcher's actors, the reactions' semaphore and the pool, and `/metrics`
 * served on its own server or, when `--liveness` names the same HOST:PORT, on the liveness endpoint's. Loaded by
 * src/engine/operator.ts only when metrics are asked for, so that prom-client is never loaded otherwise.
 */
import type { KubeClient } from '../kube/client.ts';
import type { WorkerPool } from '../execution/pool.ts';
import type { Route } from '../observe/http-server.ts';
import { parseLivenessEndpoint } from '../observe/liveness-endpoint.ts';
import type { Logger } from '../observe/log.ts';
import { OperatorMetrics } from '../observe/metrics.ts';
import { METRICS_PATH, parseMetricsEndpoint } from '../observe/metrics-endpoint.ts';
import type { MetricsRecorder } from '../observe/metrics-recorder.ts';
import { metricsRoute, startMetricsServer, type MetricsServer } from '../observe/metrics-server.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Semaphore } from './semaphore.ts';

/** What {@link operatorMetrics} needs. */
export interface EngineMetricsOptions {
  /** `HOST:PORT` (src/observe/metrics-endpoint.ts). */
  endpoint: string;
  /** The liveness endpoint, if any: the same HOST:PORT serves both. */
  livenessEndpoint?: string | undefined;
  client: KubeClient;
  logger: Logger;
}

/** What the gauges read at a scrape. */
export interface ActorSources {
  dispatcher: Dispatcher;
  limiter: Semaphore;
  /** The operator's worker pool (null: plain handlers run inline). */
  pool: WorkerPool | null;
  /**
   * How many object actors are passivated (persisted and stopped while idle): the hook for passivation
   * (issue 16); absent, the gauge reads 0.
   */
  passivatedActors?: () => number;
}

/** The metrics of one running operator. */
export interface EngineMetrics {
  /** What the engine records into (given to the resource contexts, the actors and the watchers). */
  recorder: MetricsRecorder;
  /** Routes the liveness endpoint adds when it shares the metrics' address; none otherwise. */
  livenessRoutes: Record<string, Route>;
  /** Reads the actors from now on. */
  watch(sources: ActorSources): void;
  /**
   * Serves `/metrics` (on its own server unless the liveness endpoint's serves it: give its URL then); rejects
   * when it cannot bind.
   */
  serve(livenessUrl?: string): Promise<void>;
  /** Stops serving and observing. */
  close(): Promise<void>;
}

/** Creates the metrics of an operator (nothing is served until {@link EngineMetrics.serve}). */
export function operatorMetrics(options: EngineMetricsOptions): EngineMetrics {
  const endpoint = parseMetricsEndpoint(options.endpoint);
  const liveness =
    options.livenessEndpoint !== undefined ? parseLivenessEndpoint(options.livenessEndpoint) : null;
  const shared = liveness !== null && liveness.host === endpoint.host && liveness.port === endpoint.port;
  const metrics = new OperatorMetrics();
  const unobserve = options.client.observe({
    request: (r) => metrics.apiRequest(r.verb, r.resource, r.code, r.seconds),
    retry: (r) => metrics.apiRetry(r.verb, r.resource, r.code),
  });
  let server: MetricsServer | null = null;
  return {
    recorder: metrics,
    livenessRoutes: shared ? { [METRICS_PATH]: metricsRoute(metrics) } : {},
    watch: ({ dispatcher, limiter, pool, passivatedActors }) => {
      metrics.setSources({
        actorStates: function* () {
          for (const actor of dispatcher.actors()) yield actor.state?.() ?? 'unknown';
        },
        passivatedActors: passivatedActors ?? (() => 0),
        workers: () => ({ active: limiter.held, limit: limiter.limit ?? Number.POSITIVE_INFINITY }),
        pool: () => pool?.stats() ?? null,
      });
    },
    serve: async (livenessUrl) => {
      if (shared && livenessUrl) {
        options.logger.info(`Serving metrics at ${new URL(METRICS_PATH, livenessUrl).href}`);
        return;
      }
      server = await startMetricsServer(endpoint, metrics);
      options.logger.info(`Serving metrics at ${server.url}`);
    },
    close: async () => {
      unobserve();
      metrics.close();
      await server?.close();
    },
  };
}
