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

/** Whether a value looks like a Kubernetes object body (metadata plus spec, status, data, kind, …). */
function isBody(value: Record<string, unknown>): boolean {
  const meta = value.metadata;
  return typeof meta === 'object' && meta !== null && Object.keys(value).some((k) => k !== 'metadata');
}

/**
 * A copy of `value` in which every Kubernetes body (in contexts, watch events, reaction inputs and outputs)
 * is reduced to `{ metadata: { name, namespace, uid, resourceVersion } }`: bodies can be large and secret.
 * The live objects are never modified.
 */
export function reduceBodies(value: unknown, depth = 0): unknown {
  if (depth > 12 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => reduceBodies(v, depth + 1));
  const record = value as Record<string, unknown>;
  if (isBody(record)) {
    const m = record.metadata as Record<string, unknown>;
    return { metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion } };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = reduceBodies(v, depth + 1);
  return out;
}

/** Connects to a Stately WebSocket inspector at `url`; returns its observer and a stop function. */
export function statelyInspector(url: string): { inspect: (event: InspectionEvent) => void; stop: () => void } {
  const inspector = createWebSocketInspector({ url, serialize: (event) => reduceBodies(event) as typeof event });
  const observer = inspector.inspect;
  return {
    // Only what the inspector draws: actors, events and snapshots (microsteps and actions are skipped).
    inspect: (event) => {
      if (event.type === '@xstate.actor' || event.type === '@xstate.event' || event.type === '@xstate.snapshot') observer.next?.(event);
    },
    stop: () => inspector.stop(),
  };
}
