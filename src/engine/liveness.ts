/**
 * Starts the liveness endpoint of a running operator (`--liveness`, `kopf.run({ livenessEndpoint })`): the
 * HTTP server of src/observe/liveness-server.ts answering with the probe handlers' results (src/engine/probes.ts)
 * and the operator's health: its watches (src/engine/watch-health.ts) and its event loop (src/observe/
 * event-loop-lag.ts). Called by src/engine/operator.ts once the startup handlers succeeded, as in Kopf.
 */
import type { WorkerPool } from '../execution/pool.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { Registry } from '../handlers/registry.ts';
import { EventLoopLag } from '../observe/event-loop-lag.ts';
import { Liveness } from '../observe/liveness.ts';
import { parseLivenessEndpoint } from '../observe/liveness-endpoint.ts';
import { startLivenessServer } from '../observe/liveness-server.ts';
import type { Logger } from '../observe/log.ts';
import type { Route } from '../observe/http-server.ts';
import { runProbes } from './probes.ts';
import type { WatchHealthBoard } from './watch-health.ts';

/** What the endpoint reads. */
export interface LivenessOptions {
  /** `http://HOST:PORT/PATH`. */
  endpoint: string;
  registry: Registry;
  settings: OperatorSettings;
  logger: Logger;
  memo: object;
  watches: WatchHealthBoard;
  /** The operator's indexes by id (the probes get them as kwargs). */
  indexes?: Readonly<Record<string, unknown>> | undefined;
  /** The operator's worker pool, for plain probe handlers (null: they run inline). */
  pool?: WorkerPool | null | undefined;
  /** Other routes served on the same server (the metrics' `/metrics` when `--metrics` names its address). */
  routes?: Record<string, Route> | undefined;
}

/** A running liveness endpoint. */
export interface RunningLiveness {
  url: string;
  close(): Promise<void>;
}

/** Binds the endpoint (rejects if it cannot) and serves until closed. */
export async function startLiveness(options: LivenessOptions): Promise<RunningLiveness> {
  const { registry, settings, logger, memo, watches, indexes, pool } = options;
  const endpoint = parseLivenessEndpoint(options.endpoint);
  const lag = new EventLoopLag();
  const liveness = new Liveness({
    collect: async () => await runProbes({ registry, settings, logger, memo, indexes, pool: pool ?? null }),
    problems: () => watches.problems(settings.liveness.watchFailureLimit),
    settings: () => settings.liveness,
    lag,
  });
  let server;
  try {
    server = await startLivenessServer(endpoint, async () => await liveness.report(), options.routes);
  } catch (err) {
    lag.stop();
    throw err;
  }
  logger.info(`Serving health status at ${server.url}`);
  return {
    url: server.url,
    close: async () => {
      lag.stop();
      await server.close();
    },
  };
}
