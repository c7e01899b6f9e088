/**
 * What the engine records into the operator's metrics as things happen: the narrow, cheap interface the hot
 * paths see (handler runs, coalesced events, watch restarts, API requests), free of prom-client so that an
 * operator without `--metrics` never loads it. Implemented by src/observe/metrics.ts; called by
 * src/engine/resource-services.ts, event-handlers.ts, background.ts, object-actor.ts, watchers.ts and the
 * client observer of src/engine/metrics.ts.
 */

/** How a handler attempt ended: returned; failed and will retry; failed for good; failed and ignored. */
export type HandlerOutcome = 'success' | 'temporary' | 'permanent' | 'ignored';

/** Records what happens; each call is a counter increment or a histogram observation. */
export interface MetricsRecorder {
  /** One handler attempt: its id, the cause (create, update, resume, delete, event, daemon, timer), how it ended, how long it took. */
  handlerRun(handler: string, cause: string, outcome: HandlerOutcome, seconds: number): void;
  /** A watch event held while its object was busy, to be merged into the next reaction. */
  eventCoalesced(resource: string): void;
  /** A watch event received (`LISTED` for the objects of a listing). */
  watchEvent(resource: string, type: string): void;
  /** A watch stream that ended and is opened again: `closed` (by the server or for silence), `gone` (410), `failed`. */
  watchRestart(resource: string, reason: string): void;
  /** A listing after the first one. */
  relist(resource: string): void;
  /** One HTTP request to the API server and its status code (`error`: no response), timed to its headers. */
  apiRequest(verb: string, resource: string, code: number | 'error', seconds: number): void;
  /** A request about to be retried after this code (`error`: a connection error). */
  apiRetry(verb: string, resource: string, code: number | 'error'): void;
}

/** The outcome of an attempt as src/execution/attempt.ts reports it (`final`, `error`, `result`). */
export function outcomeOf(result: {
  final: boolean;
  error?: string | undefined;
  result?: unknown;
}): HandlerOutcome {
  if (!result.final) return 'temporary';
  if (result.error !== undefined) return 'permanent';
  return 'result' in result ? 'success' : 'ignored';
}
