/**
 * The registry of declared handlers. The default one is process-wide and stored on
 * `globalThis[Symbol.for('kopf-ts.registry')]`, so two copies of the package share it, and it is filled
 * the same way in the main thread and in pool workers (which re-import the operator files). Other registries
 * (`new kopf.Registry()`, given to `kopf.on.*({ registry })` and `kopf.run({ registry })`) are filled the same
 * way too; a worker finds the operator's own among those of its thread by a {@link RegistryRef}. Filled by
 * src/on.ts; read by the engine and src/execution. No I/O.
 */
import type { Resource } from '../model/resource.ts';
import type { ActivityHandler, ChangingHandler, DaemonHandler, EventHandler, Handler, IndexHandler, TimerHandler, WebhookHandler } from './handler.ts';
import { matchesResource, type Selector } from './selector.ts';

/** All handlers of one operator. */
export class Registry {
  readonly #handlers: Handler[] = [];

  constructor() {
    track(this);
  }

  /** Adds a handler; a second handler with the same kind and id replaces nothing and is an error. */
  add(handler: Handler): void {
    const clash = this.#handlers.find((h) => h.id === handler.id && h.kind === handler.kind && h.fn !== handler.fn && sameSelector(h, handler));
    if (clash) throw new Error(`A ${handler.kind} handler with the id ${JSON.stringify(handler.id)} is already registered: give one of them another id.`);
    this.#handlers.push(handler);
  }

  /** Every handler, in registration order. */
  all(): readonly Handler[] {
    return this.#handlers;
  }

  /** What tells this registry from others: each handler's kind, id and selector, in order. */
  signature(): string[] {
    return this.#handlers.map((h) => `${h.kind}:${h.id}${'selector' in h ? `@${h.selector.text}` : ''}`);
  }

  /** Ids of all handlers, in order (the pool compares main's and workers' lists). */
  handlerIds(): string[] {
    return this.#handlers.map((h) => `${h.kind}:${h.id}`);
  }

  /** The selectors of the watched resources: those of every resource handler but admission handlers (not watched, as in Kopf). */
  selectors(): Selector[] {
    const out: Selector[] = [];
    for (const h of this.#handlers) if ('selector' in h && h.kind !== 'webhook' && !out.includes(h.selector)) out.push(h.selector);
    return out;
  }

  /** Change handlers of a resource, in registration order. */
  changingHandlers(resource: Resource): ChangingHandler[] {
    return this.#handlers.filter((h): h is ChangingHandler => h.kind === 'changing' && matchesResource(h.selector, resource));
  }

  /** Event handlers of a resource. */
  eventHandlers(resource: Resource): EventHandler[] {
    return this.#handlers.filter((h): h is EventHandler => h.kind === 'event' && matchesResource(h.selector, resource));
  }

  /** Daemons and timers of a resource, in registration order. */
  spawningHandlers(resource: Resource): (DaemonHandler | TimerHandler)[] {
    return this.#handlers.filter((h): h is DaemonHandler | TimerHandler => (h.kind === 'daemon' || h.kind === 'timer') && matchesResource(h.selector, resource));
  }

  /** Index handlers of a resource, in registration order. */
  indexHandlers(resource: Resource): IndexHandler[] {
    return this.#handlers.filter((h): h is IndexHandler => h.kind === 'index' && matchesResource(h.selector, resource));
  }

  /** Ids of all index handlers, once each (the indexes are pre-created empty at start, as in Kopf). */
  indexIds(): string[] {
    return [...new Set(this.#handlers.filter((h) => h.kind === 'index').map((h) => h.id))];
  }

  /** Admission handlers (`on.validate`, `on.mutate`), in registration order; of a resource when given. */
  webhookHandlers(resource?: Resource): WebhookHandler[] {
    return this.#handlers.filter((h): h is WebhookHandler => h.kind === 'webhook' && (!resource || matchesResource(h.selector, resource)));
  }

  /** Activity handlers of a kind. */
  activityHandlers(activity: ActivityHandler['activity']): ActivityHandler[] {
    return this.#handlers.filter((h): h is ActivityHandler => h.kind === 'activity' && h.activity === activity);
  }

  /** A handler by its id (for pool workers). */
  byId(id: string): Handler | undefined {
    return this.#handlers.find((h) => h.id === id);
  }

  /** Removes every handler (tests). */
  clear(): void {
    this.#handlers.length = 0;
  }
}

function sameSelector(a: Handler, b: Handler): boolean {
  return 'selector' in a && 'selector' in b ? a.selector.text === b.selector.text : true;
}

const KEY = Symbol.for('kopf-ts.registry');

/** The process-wide default registry. */
export function getDefaultRegistry(): Registry {
  const g = globalThis as Record<symbol, unknown>;
  g[KEY] ??= new Registry();
  return g[KEY] as Registry;
}

/** Replaces the default registry (tests, embedding). */
export function setDefaultRegistry(registry: Registry): void {
  (globalThis as Record<symbol, unknown>)[KEY] = registry;
}

const TRACKED = Symbol.for('kopf-ts.registries');

/** The registries created in this thread (weakly: an unused one may be collected), in creation order. */
function tracked(): WeakRef<Registry>[] {
  const g = globalThis as Record<symbol, unknown>;
  g[TRACKED] ??= [];
  return g[TRACKED] as WeakRef<Registry>[];
}

function track(registry: Registry): void {
  const list = tracked();
  if (list.length % 64 === 63) {
    const live = list.filter((ref) => ref.deref() !== undefined);
    list.splice(0, list.length, ...live);
  }
  list.push(new WeakRef(registry));
}

function liveRegistries(): Registry[] {
  return tracked()
    .map((ref) => ref.deref())
    .filter((r): r is Registry => r !== undefined);
}

/**
 * How a pool worker finds the operator's registry among the registries its thread created when it imported
 * the operator files: by the handlers' signature ({@link Registry.signature}), and among registries with the
 * same signature, by the order of creation. Null: the default registry.
 */
export interface RegistryRef {
  signature: string[];
  /** Its index among the live registries with the same signature, in creation order. */
  ordinal: number;
}

/** The reference to `registry` for the pool's workers (null for the default registry). */
export function registryRef(registry: Registry): RegistryRef | null {
  if (registry === getDefaultRegistry()) return null;
  const signature = registry.signature();
  const same = liveRegistries().filter((r) => r !== getDefaultRegistry() && sameList(r.signature(), signature));
  return { signature, ordinal: Math.max(0, same.indexOf(registry)) };
}

/**
 * The registry a {@link RegistryRef} names in this thread: the default one for null; else the live registry
 * whose signature matches best (every handler of the reference and nothing else; failing that, the most
 * handlers in common), the `ordinal`-th of equals. Undefined when no registry has any handler in common.
 */
export function findRegistry(ref: RegistryRef | null): Registry | undefined {
  if (ref === null) return getDefaultRegistry();
  const wanted = new Set(ref.signature);
  let best: Registry[] = [];
  let bestScore = 0;
  for (const registry of liveRegistries()) {
    if (registry === getDefaultRegistry()) continue;
    const own = registry.signature();
    const common = own.filter((s) => wanted.has(s)).length;
    if (common === 0) continue;
    const score = common * 2 - (own.length - common) - (wanted.size - common);
    if (score > bestScore || best.length === 0) {
      best = [registry];
      bestScore = score;
    } else if (score === bestScore) best.push(registry);
  }
  return best[Math.min(ref.ordinal, best.length - 1)];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
