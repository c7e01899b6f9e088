/**
 * List + watch of one resource in one namespace (or cluster-wide), as an endless async stream of events:
 * a paginated LIST (each object as `{ type: null }`), a `listed` marker, then a WATCH with bookmarks resumed
 * from the last resourceVersion. `410 Gone` → a new LIST, with DELETED synthesized for objects that vanished
 * meanwhile; a closed stream, a connection error or an inactivity timeout → a new WATCH from the last
 * resourceVersion after a jittered backoff. It never gives up until its signal aborts.
 * Used by src/engine/watchers.ts (one per resource × namespace) and the discovery of CRDs. An optional
 * {@link WatchHealth} record tells the liveness endpoint whether the stream is failing, and since when.
 */
import type { Body, RawEvent } from '../model/body.ts';
import { resourcePath, type Resource } from '../model/resource.ts';
import type { KubeClient } from './client.ts';
import { ApiError, ApiGoneError } from './errors.ts';
import { listObjects } from './objects.ts';

/** What the stream yields. */
export type WatchItem =
  | { kind: 'event'; event: RawEvent }
  | { kind: 'listed'; resourceVersion: string; count: number; relist: boolean };

/** The minimal logger the watcher reports to. */
export interface WatchLogger {
  debug(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of {@link watchObjects}. */
export interface WatchOptions {
  client: KubeClient;
  resource: Pick<Resource, 'group' | 'version' | 'plural' | 'namespaced' | 'kind'>;
  namespace?: string | undefined;
  signal: AbortSignal;
  logger?: WatchLogger;
  /** Seconds without any line (event or bookmark) after which the watch is re-opened (default 70). */
  inactivityTimeout?: number;
  /** `timeoutSeconds` for the server; undefined: none. */
  serverTimeout?: number | null;
  /** Base reconnect delay in seconds (default 0.1), doubled per consecutive failure up to 30 s, jittered. */
  reconnectBackoff?: number;
  pageSize?: number;
  /** Updated in place as the stream fails and recovers. */
  health?: WatchHealth;
  /** The apiserver's `shardSelector` for LIST and WATCH (ShardedListAndWatch; ignored where not offered). */
  shardSelector?: string | undefined;
  /** Told each time a watch stream ended and is opened again (or, `gone`, the resource is listed again). */
  onRestart?: (reason: 'closed' | 'gone' | 'failed') => void;
}

/**
 * The health of one stream, updated in place as it runs (read by the engine's liveness checks). A stream is
 * failing from its first failed LIST or WATCH request until a LIST succeeds or a WATCH delivers a line or
 * stays open for a second; a stream closed by the server, an inactivity re-watch or a `410 Gone` is not a failure.
 */
export interface WatchHealth {
  /** `Date.now()` of the first failure of the current run of failures; null while the stream is healthy. */
  failingSince: number | null;
  /** The last failure's message. */
  lastError: string | null;
}

/** A fresh, healthy {@link WatchHealth}. */
export function newWatchHealth(): WatchHealth {
  return { failingSince: null, lastError: null };
}

function markFailing(health: WatchHealth | undefined, message: string): void {
  if (!health) return;
  health.failingSince ??= Date.now();
  health.lastError = message;
}

function markHealthy(health: WatchHealth | undefined): void {
  if (!health) return;
  health.failingSince = null;
  health.lastError = null;
}

const silent: WatchLogger = { debug: () => {}, warn: () => {}, error: () => {} };

/** The endless event stream of one resource × namespace. */
export async function* watchObjects(options: WatchOptions): AsyncGenerator<WatchItem> {
  const { client, resource, namespace, signal } = options;
  const logger = options.logger ?? silent;
  const where = `${resource.plural}${namespace ? ` in ${namespace}` : ''}`;
  /** Minimal stubs of the objects seen (to synthesize deletions after a relist), not whole bodies. */
  const known = new Map<string, Body>();
  let failures = 0;
  let relist = false;

  while (!signal.aborted) {
    let rv: string;
    try {
      const listed = await listObjects(client, resource, { namespace, pageSize: options.pageSize ?? 500, signal, shardSelector: options.shardSelector });
      const seen = new Set<string>();
      for (const object of listed.items) {
        const uid = object.metadata.uid;
        if (uid) {
          seen.add(uid);
          known.set(uid, stubOf(object));
        }
        yield { kind: 'event', event: { type: null, object } };
      }
      for (const [uid, stub] of known) {
        if (!seen.has(uid)) {
          known.delete(uid);
          yield { kind: 'event', event: { type: 'DELETED', object: stub } };
        }
      }
      rv = listed.resourceVersion;
      markHealthy(options.health);
      yield { kind: 'listed', resourceVersion: rv, count: listed.items.length, relist };
      failures = 0;
    } catch (err) {
      if (signal.aborted) return;
      failures++;
      markFailing(options.health, `listing failed: ${(err as Error).message}`);
      logger.warn(`Listing ${where} failed (attempt ${failures}); retrying: ${(err as Error).message}`);
      await backoff(options, failures, signal);
      continue;
    }

    // Watch until the resourceVersion expires (then relist) or the signal aborts.
    for (;;) {
      if (signal.aborted) return;
      const outcome = yield* watchOnce(options, rv, known, logger, where);
      if (outcome.rv) rv = outcome.rv;
      if (!signal.aborted) options.onRestart?.(outcome.kind);
      if (outcome.kind === 'gone') {
        logger.debug(`Restarting the watch-stream for ${where}: the resourceVersion ${rv} is gone (410).`);
        relist = true;
        break;
      }
      if (outcome.kind === 'failed') failures++;
      else if (outcome.events > 0) failures = 0;
      if (signal.aborted) return;
      await backoff(options, failures, signal);
    }
  }
}

interface WatchOutcome {
  kind: 'closed' | 'gone' | 'failed';
  rv?: string;
  events: number;
}

async function* watchOnce(
  options: WatchOptions,
  startRv: string,
  known: Map<string, Body>,
  logger: WatchLogger,
  where: string,
): AsyncGenerator<WatchItem, WatchOutcome> {
  const { client, resource, namespace, signal } = options;
  const inactivityMs = (options.inactivityTimeout ?? 70) * 1000;
  const local = new AbortController();
  const abortAll = (): void => local.abort();
  signal.addEventListener('abort', abortAll, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let settled: NodeJS.Timeout | undefined;
  let idle = false;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      local.abort();
    }, inactivityMs);
  };
  let rv = startRv;
  let events = 0;
  try {
    arm();
    const res = await client.stream({
      method: 'GET',
      path: resourcePath(resource, { namespace }),
      query: {
        watch: true,
        allowWatchBookmarks: true,
        resourceVersion: rv,
        timeoutSeconds: options.serverTimeout ?? undefined,
        shardSelector: options.shardSelector,
      },
      signal: local.signal,
      verb: 'watch',
      resource: resource.plural,
    });
    // Answered with 200: healthy once it delivers a line or stays open a moment (a stream that answers 200 and
    // then sends only ERROR lines stays failing).
    settled = setTimeout(() => markHealthy(options.health), 1000);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      arm();
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        let parsed: { type?: string; object?: any };
        try {
          parsed = JSON.parse(line) as { type?: string; object?: any };
        } catch {
          logger.error(`A malformed line in the watch-stream of ${where} is skipped: ${line.slice(0, 200)}`);
          continue;
        }
        const { type, object } = parsed;
        if (type !== 'ERROR') markHealthy(options.health);
        if (type === 'BOOKMARK') {
          rv = object?.metadata?.resourceVersion ?? rv;
          continue;
        }
        if (type === 'ERROR') {
          if (object?.code === 410) return { kind: 'gone', rv, events };
          const text = JSON.stringify(object).slice(0, 300);
          markFailing(options.health, `the watch-stream sent an error: ${text}`);
          logger.warn(`The watch-stream of ${where} sent an error; re-watching: ${text}`);
          return { kind: 'failed', rv, events };
        }
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') {
          logger.warn(`An unknown event type ${String(type)} in the watch-stream of ${where} is ignored.`);
          continue;
        }
        if (!object || typeof object !== 'object' || typeof object.metadata !== 'object') {
          logger.error(`A malformed object in the watch-stream of ${where} is skipped: ${line.slice(0, 200)}`);
          continue;
        }
        rv = object.metadata.resourceVersion ?? rv;
        const uid = object.metadata.uid as string | undefined;
        if (uid) {
          if (type === 'DELETED') known.delete(uid);
          else known.set(uid, stubOf(object as Body));
        }
        events++;
        yield { kind: 'event', event: { type, object: object as Body } };
      }
    }
    return { kind: 'closed', rv, events };
  } catch (err) {
    if (signal.aborted) return { kind: 'closed', rv, events };
    if (idle) {
      logger.debug(`The watch-stream of ${where} was silent for ${inactivityMs / 1000} s; re-watching.`);
      return { kind: 'closed', rv, events };
    }
    if (err instanceof ApiGoneError) return { kind: 'gone', rv, events };
    const what = err instanceof ApiError ? `${err.status}` : (err as Error).name;
    markFailing(options.health, `watching failed (${what}): ${(err as Error).message}`);
    logger.warn(`The watch-stream of ${where} failed (${what}); re-watching: ${(err as Error).message}`);
    return { kind: 'failed', rv, events };
  } finally {
    clearTimeout(timer);
    clearTimeout(settled);
    signal.removeEventListener('abort', abortAll);
    local.abort();
  }
}

function stubOf(body: Body): Body {
  const { name, namespace, uid, resourceVersion } = body.metadata;
  return { apiVersion: body.apiVersion, kind: body.kind, metadata: { name, namespace, uid, resourceVersion } } as Body;
}

async function backoff(options: WatchOptions, failures: number, signal: AbortSignal): Promise<void> {
  const base = options.reconnectBackoff ?? 0.1;
  const delay = Math.min(30, base * 2 ** Math.max(0, failures - 1)) * (0.5 + Math.random());
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, delay * 1000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
