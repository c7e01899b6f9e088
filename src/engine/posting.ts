/**
 * Kubernetes Events from handlers: `kopf.event/info/warn/exception` put events on the operator's queue; a
 * background loop posts them through src/kube one at a time, so a slow API never blocks a handler.
 * Created by src/engine/operator.ts; the front door finds the current queue through `currentPoster()`.
 * In a pool worker there is no queue: the worker collects events and returns them with the result.
 */
import type { OperatorSettings } from '../model/settings.ts';
import type { EventRequest, EventSink } from '../execution/handler-context.ts';

export type { EventRequest, EventSink } from '../execution/handler-context.ts';

/** Posts one event (provided by the engine from src/kube). */
export type PostEvent = (request: EventRequest) => Promise<void>;

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
const TYPE_LEVEL: Record<string, number> = { Normal: 20, Warning: 30, Error: 40 };

/** The operator's event queue. */
export class EventPoster {
  readonly #queue: EventRequest[] = [];
  readonly #post: PostEvent;
  readonly #settings: OperatorSettings;
  readonly #onError: (err: unknown, request: EventRequest) => void;
  #wake: (() => void) | null = null;
  #stopped = false;
  #loop: Promise<void> | null = null;

  constructor(
    post: PostEvent,
    settings: OperatorSettings,
    onError: (err: unknown, request: EventRequest) => void,
  ) {
    this.#post = post;
    this.#settings = settings;
    this.#onError = onError;
  }

  /** Queues an event if posting is enabled and its type's level is at or above `settings.posting.level`. */
  enqueue(request: EventRequest): void {
    if (!this.#settings.posting.enabled) return;
    const level = TYPE_LEVEL[request.type] ?? LEVELS.info;
    if (level < LEVELS[this.#settings.posting.level]) return;
    if (
      request.object.kind === 'Event' &&
      (request.object.apiVersion === 'v1' || request.object.apiVersion?.startsWith('events.k8s.io'))
    )
      return;
    this.#queue.push(request);
    this.#wake?.();
  }

  /** Starts the posting loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped || this.#queue.length) {
      const next = this.#queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
        continue;
      }
      try {
        await this.#post(next);
      } catch (err) {
        this.#onError(err, next);
      }
    }
  }

  /** Posts what is queued, then stops. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  /** Events waiting to be posted. */
  get pending(): number {
    return this.#queue.length;
  }
}

const CURRENT = Symbol.for('kopf-ts.poster');

/** Installs the process-wide (or thread-wide) sink used by the front door. */
export function setCurrentPoster(sink: EventSink | null): void {
  (globalThis as Record<symbol, unknown>)[CURRENT] = sink;
}

/** The sink the front door should use; null outside an operator. */
export function currentPoster(): EventSink | null {
  return ((globalThis as Record<symbol, unknown>)[CURRENT] as EventSink | undefined) ?? null;
}
