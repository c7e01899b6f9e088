/**
 * The options of an operator run: `kopf.run()` / `kopf.operator()` in the front door, and what `kopf-ts run`
 * (src/cli/run.ts) builds from its flags. Read by src/engine/operator.ts.
 */
import type { Registry } from '../handlers/registry.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { Logger } from '../observe/log.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ObjectActorOptions } from './object-actor.ts';
import type { TimelineSink } from './timeline.ts';
import type { Ownership } from './ownership.ts';

/** Options of `runOperator` (src/engine/operator.ts) (and `kopf.run()`). */
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
  /**
   * `--metrics HOST:PORT`: serve the operator's Prometheus metrics at `http://HOST:PORT/metrics` (docs/metrics.md),
   * from the liveness endpoint's server when that has the same HOST:PORT. Each operator has metrics of its own.
   * Unset: no metrics (prom-client is not even loaded).
   */
  metricsEndpoint?: string;
}
