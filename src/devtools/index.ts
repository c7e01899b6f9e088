/**
 * The devtools, as one handle: a collector fed by the actors' inspection events and the engine's timeline,
 * and the token-protected HTTP server of the live page. `kopf-ts run --devtools` (src/cli/run.ts) starts it
 * and passes `inspect`/`timeline` to runOperator; embedders do the same (`import { startDevtools } from
 * 'kopf-ts/devtools'`). When it is not started, the engine observes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { InspectionEvent } from 'xstate';
import type { TimelineSink } from '../engine/timeline.ts';
import { checkHost, parseAddress } from './address.ts';
import { Collector, type CollectorLimits } from './collector.ts';
import { DevtoolsServer } from './server.ts';

export { Collector, type CollectorLimits } from './collector.ts';
export type { ActorDetail, ActorSummary, TimelineLine } from './records.ts';
export { parseAddress, isLoopback, checkHost } from './address.ts';
export { fanOut, statelyInspector, reduceBodies, type InspectObserver } from './stately.ts';
export { toSvg } from './svg.ts';
export { MACHINES } from './catalog.ts';

/** Options of {@link startDevtools}. */
export interface DevtoolsOptions {
  /** `HOST:PORT`, `:PORT`, `PORT` or `HOST` (default 127.0.0.1 and a free port); `true` for the default. */
  address?: string | boolean;
  /** Serve on a non-loopback host (refused otherwise). */
  allowRemote?: boolean;
  /** The token (default: 32 random hex characters). */
  token?: string;
  /** Push batch interval, ms (default 200). */
  flushMs?: number;
  limits?: CollectorLimits;
}

/** Running devtools. */
export interface Devtools {
  /** The page's address, with the token. */
  url: string;
  token: string;
  host: string;
  port: number;
  collector: Collector;
  /** For runOperator's `inspect`. */
  inspect: (event: InspectionEvent) => void;
  /** For runOperator's `timeline`. */
  timeline: TimelineSink;
  close(): Promise<void>;
}

/** Starts the devtools server. Throws for a non-loopback host without `allowRemote`. */
export async function startDevtools(options: DevtoolsOptions = {}): Promise<Devtools> {
  const { host, port } = parseAddress(options.address);
  checkHost(host, options.allowRemote ?? false);
  const token = options.token ?? randomBytes(16).toString('hex');
  const collector = new Collector(options.limits);
  const server = new DevtoolsServer({ collector, token, host, port, ...(options.flushMs ? { flushMs: options.flushMs } : {}) });
  const bound = await server.listen();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/?token=${token}`,
    token,
    host,
    port: bound,
    collector,
    inspect: collector.inspect,
    timeline: collector.timeline,
    close: () => server.close(),
  };
}
