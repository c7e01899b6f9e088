/**
 * The one invocation context of a running handler, the same in the event loop and in a pool worker: an
 * AsyncLocalStorage whose store holds the handler, its kwargs, and per-call data: the handler's invocation
 * (its kind, id and object, the sub-handlers it declares, how to run them) and the sink of the Events it
 * posts. The front door's helpers (`kopf.subhandler/register/execute`, `kopf.adopt/label/…` without an owner,
 * `kopf.event/info/warn/exception`) read it through {@link currentInvocation} and {@link currentEventSink}.
 * Filled by invoke.ts (inline calls, with the engine's data) and by worker.ts (pool calls).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Body } from '../model/body.ts';

/** What invoking needs of a handler (see invoke.ts's `InvocableHandler`, which is the same shape). */
export interface ContextHandler {
  id: string;
  kind?: string | undefined;
  fn: (kwargs: any) => unknown;
}

/** The store of {@link invocationContext}. */
export interface InvocationContext {
  handler: ContextHandler;
  kwargs: Record<string, unknown>;
  /** The caller's AbortSignal, if any (an inline handler can only stop cooperatively). */
  signal: AbortSignal | undefined;
  /** Per-call data: the invocation ({@link invocationData}) and whatever else the caller attached. */
  data: Record<string, unknown>;
}

const CONTEXT_KEY = Symbol.for('kopf-ts.execution-context');
const g = globalThis as Record<symbol, unknown>;
/** The current invocation, for the framework's helpers. One instance per thread even with two package copies. */
export const invocationContext = (g[CONTEXT_KEY] ??=
  new AsyncLocalStorage<InvocationContext>()) as AsyncLocalStorage<InvocationContext>;

/** A sub-handler as declared inside a running parent. */
export interface DeclaredSubhandler {
  id: string;
  fn: (kwargs: any) => unknown;
  options: {
    errors?: 'temporary' | 'permanent' | 'ignored';
    timeout?: number | null;
    retries?: number | null;
    backoff?: number | null;
    param?: unknown;
  };
}

/** The running resource handler (change handler, daemon or timer), as the front door sees it. */
export interface HandlerInvocation {
  /** Sub-handlers can be declared only in change handlers. */
  kind: 'changing' | 'daemon' | 'timer';
  /** The running handler's id (the parent of declared sub-handlers). */
  handlerId: string;
  /** The running handler's body (for `kopf.adopt()` without an owner, `kopf.info(…)` and the like). */
  body: unknown;
  declared: DeclaredSubhandler[];
  /** Set by an explicit `await kopf.execute()`; then nothing runs implicitly after the parent returns. */
  executed: boolean;
  /** Runs the declared sub-handlers now; resolves when they are all finished (else throws HandlerChildrenRetry). */
  execute: () => Promise<void>;
  /** Ids of the sub-handlers that ran in a pool worker on this handler's behalf (set by invoke.ts from the reply). */
  remoteSubrefs?: string[];
}

/** One Kubernetes Event a handler asked for (`kopf.event/info/warn/exception`). */
export interface EventRequest {
  /** The object the event is about (its apiVersion, kind and metadata are used). */
  object: Body;
  type: string;
  reason: string;
  message: string;
}

/** Where `kopf.event()` & co. deliver. */
export type EventSink = (request: EventRequest) => void;

const INVOCATION = 'invocation';
const EVENTS = 'events';

/** The per-call data that makes {@link currentInvocation} and {@link currentEventSink} find these during the call. */
export function invocationData(
  invocation: HandlerInvocation | undefined,
  events?: EventSink,
): Record<string, unknown> {
  return { ...(invocation ? { [INVOCATION]: invocation } : {}), ...(events ? { [EVENTS]: events } : {}) };
}

/** The invocation of the resource handler running in this async flow, if any. */
export function currentInvocation(): HandlerInvocation | undefined {
  return invocationContext.getStore()?.data[INVOCATION] as HandlerInvocation | undefined;
}

/** The invocation in a call's per-call data (invoke.ts reads it to hand a pool reply's sub-handler ids back). */
export function invocationOf(data: Record<string, unknown> | undefined): HandlerInvocation | undefined {
  return data?.[INVOCATION] as HandlerInvocation | undefined;
}

/** The Event sink of the running handler's call (a pool worker's collector); undefined in the event loop. */
export function currentEventSink(): EventSink | undefined {
  return invocationContext.getStore()?.data[EVENTS] as EventSink | undefined;
}

/** The Event sink in a call's per-call data. */
export function eventSinkOf(data: Record<string, unknown> | undefined): EventSink | undefined {
  return data?.[EVENTS] as EventSink | undefined;
}
