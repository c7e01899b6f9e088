/**
 * XState's own inspection for Stately's inspector (`@statelyai/inspect`): an observer that forwards the
 * actors' events to a WebSocket inspector (e.g. one started with `createInspectorServer` from
 * `@statelyai/inspect/server`), with object bodies replaced by their names and versions (they can be large
 * and secret), and several observers fanned out from one `inspect` option. Used by `kopf-ts run
 * --inspect-stately URL` (src/cli/run.ts) and by embedders (docs/devtools.md).
 */
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';

/** An inspection observer as XState takes it (a function or an observer object). */
export type InspectObserver = ((event: InspectionEvent) => void) | Observer<InspectionEvent>;

/** One observer that calls each given one (a throwing observer does not stop the others). */
export function fanOut(...observers: (InspectObserver | undefined)[]): ((event: InspectionEvent) => void) | undefined {
  const fns = observers.filter((o): o is InspectObserver => o !== undefined).map((o) => (typeof o === 'function' ? o : (e: InspectionEvent) => o.next?.(e)));
  if (fns.length === 0) return undefined;
  if (fns.length === 1) return fns[0];
  return (event) => {
    for (const fn of fns) {
      try {
        fn(event);
      } catch {
        // an observer's failure must not break the actors or the other observers
      }
    }
  };
}

/** An object actor's context with the bodies reduced to what identifies them. */
export function sanitizeContext(context: Record<string, unknown>): Record<string, unknown> {
  const brief = (e: unknown): unknown => {
    const ev = e as { type?: unknown; object?: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } } } | null;
    if (!ev || typeof ev !== 'object' || !ev.object) return e;
    const m = ev.object.metadata ?? {};
    return { type: ev.type, object: { metadata: { name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion } } };
  };
  return 'current' in context || 'pending' in context ? { ...context, current: brief(context.current), pending: brief(context.pending) } : context;
}

/** Watch events carry whole bodies: Stately sees only their type, name and version. */
function sanitizeEvent<E extends { type: string }>(event: E): E {
  const inner = (event as { event?: unknown }).event;
  return event.type === 'watch.event' && inner ? ({ ...event, event: sanitizeContext({ current: inner }).current } as E) : event;
}

/** Connects to a Stately WebSocket inspector at `url`; returns its observer and a stop function. */
export function statelyInspector(url: string): { inspect: (event: InspectionEvent) => void; stop: () => void } {
  const inspector = createWebSocketInspector({ url, sanitizeContext: (c) => sanitizeContext(c as Record<string, unknown>), sanitizeEvent });
  const observer = inspector.inspect;
  return {
    // Only what the inspector draws: actors, events and snapshots (microsteps and actions are skipped).
    inspect: (event) => {
      if (event.type === '@xstate.actor' || event.type === '@xstate.event' || event.type === '@xstate.snapshot') observer.next?.(event);
    },
    stop: () => inspector.stop(),
  };
}
