/**
 * Kubernetes Events from handlers: `kopf.event/info/warn/exception` put events on the operator's queue; a
 * background loop posts them through src/kube one at a time, so a slow API never blocks a handler.
 * One queue per operator, created by src/engine/operator.ts: the engine hands its sink to each handler's
 * invocation context (handler-context.ts), where the front door finds it; outside a handler, the front door
 * falls back to `currentPoster()`, the queue of the operator whose async flow the caller is in (an
 * AsyncLocalStorage that operator.ts enters), so two operators in one process never post through each other.
 * In a pool worker there is no queue: the worker collects events and returns them with the result.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** What an operator keeps for the code running in its async flow (filled as the operator starts). */
export interface OperatorScope {
  /** The operator's Event sink; null until its queue exists and after it stopped. */
  poster: EventSink | null;
}

const SCOPE_KEY = Symbol.for('kopf-ts.operator-scope');
const g = globalThis as Record<symbol, unknown>;
/** One instance per thread even with two copies of the package (as the invocation context). */
const operatorScope = (g[SCOPE_KEY] ??=
  new AsyncLocalStorage<OperatorScope>()) as AsyncLocalStorage<OperatorScope>;

/** Runs `fn` (an operator's whole life) in `scope`: what it starts, directly or not, sees that scope. */
export function runInOperatorScope<T>(scope: OperatorScope, fn: () => T): T {
  return operatorScope.run(scope, fn);
}

/** The Event sink of the operator whose async flow this is; null outside any operator (or before its queue). */
export function currentPoster(): EventSink | null {
  return operatorScope.getStore()?.poster ?? null;
}
