/**
 * Posting core v1 Events about objects, in Kopf's format (generateName prefix, involvedObject, reason,
 * type, message truncated to 1024 characters keeping head and tail, reporting component and instance,
 * timestamps), with one kopf-ts improvement: repeats of the same event (object, type, reason, message)
 * within a window update the existing Event's `count` and `lastTimestamp` instead of creating another.
 * Used by src/engine/posting.ts's queue.
 */
import type { Body } from '../model/body.ts';
import type { KubeClient } from './client.ts';
import { ApiNotFoundError } from './errors.ts';

/** Options of an {@link EventWriter}. */
export interface EventWriterOptions {
  reportingComponent: string;
  reportingInstance: string;
  eventNamePrefix: string;
  /** Seconds during which a repeat is aggregated into the earlier Event. */
  aggregationWindow: number;
  /** Namespace for Events of cluster-scoped objects. */
  defaultNamespace: string;
  now?: () => number;
}

const MAX_MESSAGE = 1024;

/** Kopf's truncation: keep the head and the tail around `...`. */
export function truncateMessage(message: string): string {
  if (message.length <= MAX_MESSAGE) return message;
  const keep = MAX_MESSAGE - 3;
  return message.slice(0, Math.ceil(keep / 2)) + '...' + message.slice(message.length - Math.floor(keep / 2));
}

/** Posts (and aggregates) Events. */
export class EventWriter {
  readonly #client: KubeClient;
  readonly #options: EventWriterOptions;
  readonly #recent = new Map<string, { namespace: string; name: string; count: number; at: number }>();

  constructor(client: KubeClient, options: EventWriterOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** Posts one event about `object` (or increments a recent identical one). */
  async post(object: Body, type: string, reason: string, message: string): Promise<void> {
    const now = this.#options.now?.() ?? Date.now();
    const meta = object.metadata ?? {};
    const namespace = meta.namespace || this.#options.defaultNamespace;
    const text = truncateMessage(message);
    const key = [meta.uid, type, reason, text].join('\u0000');
    const stamp = new Date(now).toISOString();
    const recent = this.#recent.get(key);
    if (recent && now - recent.at < this.#options.aggregationWindow * 1000) {
      try {
        recent.count++;
        recent.at = now;
        await this.#client.request({
          method: 'PATCH',
          path: `/api/v1/namespaces/${encodeURIComponent(recent.namespace)}/events/${encodeURIComponent(recent.name)}`,
          body: { count: recent.count, lastTimestamp: stamp.replace(/\.\d+Z$/, 'Z') },
          contentType: 'application/merge-patch+json',
          verb: 'patch',
          resource: 'events',
        });
        return;
      } catch (err) {
        if (!(err instanceof ApiNotFoundError)) throw err;
        this.#recent.delete(key);
      }
    }
    const involvedObject: Record<string, string> = {};
    for (const [k, v] of Object.entries({ apiVersion: object.apiVersion, kind: object.kind, name: meta.name, uid: meta.uid, namespace: meta.namespace })) {
      if (v) involvedObject[k] = v;
    }
    const seconds = stamp.replace(/\.\d+Z$/, 'Z');
    const created = await this.#client.request<{ metadata: { name: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      body: {
        metadata: { namespace, generateName: this.#options.eventNamePrefix },
        action: 'Action?',
        type,
        reason,
        message: text,
        reportingComponent: this.#options.reportingComponent,
        reportingInstance: this.#options.reportingInstance,
        source: { component: this.#options.reportingComponent },
        involvedObject,
        firstTimestamp: seconds,
        lastTimestamp: seconds,
        eventTime: stamp.replace('Z', '000Z'),
        count: 1,
      },
      verb: 'create',
      resource: 'events',
    });
    this.#recent.set(key, { namespace, name: created.metadata.name, count: 1, at: now });
    if (this.#recent.size > 10_000) {
      for (const [k, v] of this.#recent) if (now - v.at >= this.#options.aggregationWindow * 1000) this.#recent.delete(k);
    }
  }
}
