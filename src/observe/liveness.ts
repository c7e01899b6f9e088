/**
 * What the liveness endpoint answers: the probe handlers' results (Kopf's `{probe id: result}`), collected at
 * most once per caching period and shared by concurrent requests, and whether the operator is alive: every
 * probe succeeded, no check reports a problem (the engine's watches), the event loop was not blocked longer
 * than the limit. 200 with the results when alive; 500 with the reasons otherwise. Used by
 * src/observe/liveness-server.ts; the engine (src/engine/liveness.ts) gives it the probes and the checks.
 */
import type { EventLoopLag } from './event-loop-lag.ts';

/** One collection of the probe handlers: the results of those that succeeded, and why the others failed. */
export interface ProbeCollection {
  results: Record<string, unknown>;
  /** One line per failed probe (`Probe 'id' failed: …`). */
  failures: string[];
}

/** What decides the answer; every function is called per request (or per collection). */
export interface LivenessSources {
  /** Runs every probe handler once. */
  collect(): Promise<ProbeCollection>;
  /** Problems found now (e.g. watches failing for too long); empty when there are none. */
  problems(): string[];
  /** Read per request, so that a startup handler's changes count. */
  settings(): { cachingPeriod: number; eventLoopLagLimit: number };
  lag?: EventLoopLag | undefined;
}

/** An answer of the endpoint. */
export interface LivenessReport {
  status: 200 | 500;
  body: Record<string, unknown>;
}

/** The liveness state of one operator. */
export class Liveness {
  readonly #sources: LivenessSources;
  #cached: { at: number; collection: ProbeCollection } | null = null;
  #inflight: Promise<ProbeCollection> | null = null;

  constructor(sources: LivenessSources) {
    this.#sources = sources;
  }

  /** Collects (or reuses) the probes' results, then checks the rest; never rejects. */
  async report(): Promise<LivenessReport> {
    const { cachingPeriod, eventLoopLagLimit } = this.#sources.settings();
    let collection: ProbeCollection;
    try {
      collection = await this.#probes(cachingPeriod);
    } catch (err) {
      collection = { results: {}, failures: [`The probes could not be run: ${(err as Error).message}`] };
    }
    const reasons = [...collection.failures];
    const results: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(collection.results)) {
      if (value === undefined || value === null) continue; // Kopf leaves out probes that returned None.
      try {
        JSON.stringify(value);
        results[id] = value;
      } catch (err) {
        reasons.push(`Probe '${id}' returned what JSON cannot hold: ${(err as Error).message}`);
      }
    }
    reasons.push(...this.#sources.problems());
    const lag = this.#sources.lag?.worst(cachingPeriod) ?? 0;
    if (lag > eventLoopLagLimit)
      reasons.push(
        `The event loop was blocked for ${lag.toFixed(1)} s within the last ${cachingPeriod} s (the limit is ${eventLoopLagLimit} s).`,
      );
    return reasons.length === 0
      ? { status: 200, body: results }
      : { status: 500, body: { reasons, probes: results } };
  }

  /** The probes' results: cached while fresh and successful (as Kopf); one collection at a time. */
  async #probes(cachingPeriod: number): Promise<ProbeCollection> {
    const cached = this.#cached;
    if (cached && Date.now() - cached.at < cachingPeriod * 1000) return cached.collection;
    this.#inflight ??= (async () => {
      try {
        const collection = await this.#sources.collect();
        this.#cached = collection.failures.length === 0 ? { at: Date.now(), collection } : null;
        return collection;
      } finally {
        this.#inflight = null;
      }
    })();
    return await this.#inflight;
  }
}
