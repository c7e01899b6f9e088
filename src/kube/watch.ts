/**
 * List + watch of one resource in one namespace (or cluster-wide), as an endless async stream of events:
 * the initial state (each object as `{ type: null }`), a `listed` marker, then a WATCH with bookmarks resumed
 * from the last resourceVersion. The initial state is streamed where the API server serves it (a WATCH with
 * `sendInitialEvents=true`, `resourceVersionMatch=NotOlderThan`, ending at the bookmark annotated
 * `k8s.io/initial-events-end`, which continues as the watch), else a paginated LIST yielded page by page (a
 * `422`/`400` to the streaming request switches this stream to LISTs for good). Bodies lose
 * `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration` annotation as they
 * arrive unless `keepManagedFields`. `410 Gone` → a new LIST, with DELETED synthesized for objects that vanished
 * meanwhile; a closed stream, a connection error or an inactivity timeout → a new WATCH from the last
 * resourceVersion after a jittered backoff. It never gives up until its signal aborts.
 * Used by src/engine/watchers.ts (one per resource × namespace) and the discovery of CRDs. An optional
 * {@link WatchHealth} record tells the liveness endpoint whether the stream is failing, and since when.
 */
import type { Body, RawEvent } from '../model/body.ts';
import { apiVersionOf, resourcePath, type Resource } from '../model/resource.ts';
import type { KubeClient } from './client.ts';
import { ApiError, ApiGoneError } from './errors.ts';
import { listPages } from './objects.ts';

/** The bookmark annotation that ends the initial events of a streaming list. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the stream yields. */
export type WatchItem =
  | { kind: 'event'; event: RawEvent }
  | { kind: 'listed'; resourceVersion: string; count: number; relist: boolean; /** Streamed (sendInitialEvents), not LISTed. */ streamed: boolean };

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
  /** Stream the initial state (`sendInitialEvents`) where the server serves it (default true); false: paginated LIST. */
  streamingLists?: boolean;
  /** Keep `metadata.managedFields` and the last-applied-configuration annotation in bodies (default false: dropped). */
  keepManagedFields?: boolean;
  /** Updated in place as the stream fails and recovers. */
  health?: WatchHealth;
  /** The apiserver's `shardSelector` for LIST and WATCH (ShardedListAndWatch; ignored where not offered). */
  shardSelector?: string | undefined;
  /** Told each time a watch stream ended and is opened again (or, `gone`, the resource is listed again). */
  onRestart?: (reason: 'closed' | 'gone' | 'failed') => void;
}

/**
 * Drops what an operator never reads from a freshly parsed body, in place: `metadata.managedFields` and the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (the annotations object stays, even if empty
 * then). Everything else (spec, status, labels, other annotations, finalizers, owners) is untouched.
 */
export function trimBody(body: Body): Body {
  const meta = body.metadata as Body['metadata'] & { managedFields?: unknown };
  if (meta.managedFields !== undefined) delete meta.managedFields;
  if (meta.annotations && LAST_APPLIED in meta.annotations) delete meta.annotations[LAST_APPLIED];
  return body;
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
  /** The objects seen, by uid: `namespace/name` only (to synthesize deletions after a relist), not bodies. */
  const known: Known = new Map<string, string>();
  const trim = options.keepManagedFields ? (b: Body) => b : trimBody;
  let streaming = options.streamingLists ?? true;
  let failures = 0;
  let relist = false;

  while (!signal.aborted) {
    let rv: string;
    if (streaming) {
      // The initial state as the watch's first events; the same stream then goes on as the watch.
      const listing: Listing = { seen: new Set(), count: 0, relist, done: false };
      const outcome = yield* watchOnce(options, null, known, logger, where, trim, listing);
      if (outcome.kind === 'unsupported') {
        streaming = false;
        logger.debug(`Streaming lists are not served for ${where} (${outcome.reason}); listing page by page.`);
        continue;
      }
      if (!listing.done) {
        if (signal.aborted) return;
        if (outcome.kind === 'failed') failures++;
        await backoff(options, failures, signal);
        continue;
      }
      failures = outcome.kind === 'failed' ? 1 : 0;
      rv = outcome.rv ?? '';
      if (outcome.kind === 'gone') {
        relist = true;
        continue;
      }
      if (signal.aborted) return;
      await backoff(options, failures, signal);
    } else {
      try {
        const seen = new Set<string>();
        let count = 0;
        rv = '';
        for await (const page of listPages(client, resource, { namespace, pageSize: options.pageSize ?? 500, signal, shardSelector: options.shardSelector })) {
          for (const object of page.items) {
            const uid = object.metadata.uid;
            if (uid) {
              seen.add(uid);
              known.set(uid, refOf(object));
            }
            count++;
            yield { kind: 'event', event: { type: null, object: trim(object) } };
          }
          rv = page.resourceVersion;
        }
        yield* vanished(known, seen, resource);
        markHealthy(options.health);
        yield { kind: 'listed', resourceVersion: rv, count, relist, streamed: false };
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        markFailing(options.health, `listing failed: ${(err as Error).message}`);
        logger.warn(`Listing ${where} failed (attempt ${failures}); retrying: ${(err as Error).message}`);
        await backoff(options, failures, signal);
        continue;
      }
    }

    // Watch until the resourceVersion expires (then relist) or the signal aborts.
    for (;;) {
      if (signal.aborted) return;
      const outcome = yield* watchOnce(options, rv, known, logger, where, trim, null);
      if (outcome.rv) rv = outcome.rv;
      if (!signal.aborted && outcome.kind !== 'unsupported') options.onRestart?.(outcome.kind);
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

/** DELETED events for the known objects not seen in a (re)listing; forgets them. */
function* vanished(known: Known, seen: Set<string>, resource: WatchOptions['resource']): Generator<WatchItem> {
  for (const [uid, ref] of known) {
    if (!seen.has(uid)) {
      known.delete(uid);
      yield { kind: 'event', event: { type: 'DELETED', object: stubOf(resource, uid, ref) } };
    }
  }
}

/** The progress of a streaming list (the initial events of a watch). */
interface Listing {
  seen: Set<string>;
  count: number;
  relist: boolean;
  /** The initial-events-end bookmark arrived (the `listed` marker is yielded). */
  done: boolean;
}

interface WatchOutcome {
  kind: 'closed' | 'gone' | 'failed' | 'unsupported';
  rv?: string;
  events: number;
  /** Why a streaming list is not served (the server's answer). */
  reason?: string;
}

/**
 * One WATCH request: from `startRv`, or (with `listing`, `startRv` null) a streaming list whose initial
 * events are yielded as `{ type: null }` up to the initial-events-end bookmark, then a `listed` marker.
 */
async function* watchOnce(
  options: WatchOptions,
  startRv: string | null,
  known: Known,
  logger: WatchLogger,
  where: string,
  trim: (body: Body) => Body,
  listing: Listing | null,
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
  let rv = startRv ?? '';
  let events = 0;
  let requested = false;
  try {
    arm();
    const res = await client.stream({
      method: 'GET',
      path: resourcePath(resource, { namespace }),
      query: listing
        ? { watch: true, allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', timeoutSeconds: options.serverTimeout ?? undefined, shardSelector: options.shardSelector }
        : { watch: true, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: options.serverTimeout ?? undefined, shardSelector: options.shardSelector },
      signal: local.signal,
      // A streaming list counts as the list it replaces (the watch it continues as is not counted again).
      verb: listing ? 'list' : 'watch',
      resource: resource.plural,
    });
    requested = true;
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
          if (listing && !listing.done && object?.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true') {
            listing.done = true;
            yield* vanished(known, listing.seen, resource);
            yield { kind: 'listed', resourceVersion: rv, count: listing.count, relist: listing.relist, streamed: true };
          }
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
        const uid = object.metadata.uid as string | undefined;
        if (listing && !listing.done) {
          // An initial event: the object as listed (its resourceVersion is not the stream's position).
          if (uid) {
            listing.seen.add(uid);
            known.set(uid, refOf(object as Body));
          }
          listing.count++;
          yield { kind: 'event', event: { type: null, object: trim(object as Body) } };
          continue;
        }
        rv = object.metadata.resourceVersion ?? rv;
        if (uid) {
          if (type === 'DELETED') known.delete(uid);
          else known.set(uid, refOf(object as Body));
        }
        events++;
        yield { kind: 'event', event: { type, object: trim(object as Body) } };
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
    // The streaming list itself refused (422 Invalid where WatchList is off, 400 where a parameter is unknown).
    if (listing && !requested && err instanceof ApiError && (err.status === 422 || err.status === 400)) return { kind: 'unsupported', events, reason: `${err.status}: ${err.message}` };
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

/** What the stream remembers of an object: `namespace/name` (`/name` when cluster-scoped). */
type Known = Map<string, string>;

function refOf(body: Body): string {
  return `${body.metadata.namespace ?? ''}/${body.metadata.name ?? ''}`;
}

/** A minimal body of a vanished object, for its synthesized DELETED event. */
function stubOf(resource: WatchOptions['resource'], uid: string, ref: string): Body {
  const slash = ref.indexOf('/');
  const namespace = ref.slice(0, slash) || undefined;
  return { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { name: ref.slice(slash + 1), namespace, uid } } as Body;
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
