/**
 * Sub-handlers (`kopf.subhandler`, `kopf.register`, `kopf.execute`): a change handler declares them while it
 * runs; they then run as change handlers of their own with ids `parent/child`, their own progress records,
 * retries and results, and the parent is finished only when they all are (until then the parent is retried
 * with HandlerChildrenRetry, as Kopf). The declaration context travels as per-call data of
 * src/execution/invoke.ts's context (one AsyncLocalStorage for both layers), set by resource-services.ts
 * and background.ts; the front door reads it with {@link currentInvocation}.
 */
import { invocationContext as executionContext } from '../execution/invoke.ts';

/** A sub-handler as declared inside a running parent. */
export interface DeclaredSubhandler {
  id: string;
  fn: (kwargs: any) => unknown;
  options: { errors?: 'temporary' | 'permanent' | 'ignored'; timeout?: number | null; retries?: number | null; backoff?: number | null; param?: unknown };
}

/** The context of a running resource handler (change handler, daemon or timer). */
export interface InvocationContext {
  /** Sub-handlers can be declared only in change handlers. */
  kind: 'changing' | 'daemon' | 'timer';
  /** The running handler's id (the parent of declared sub-handlers). */
  handlerId: string;
  /** The running handler's body (for `kopf.adopt()` without an owner, `kopf.info(…)` and the like). */
  body: unknown;
  declared: DeclaredSubhandler[];
  /** Set by an explicit `await kopf.execute()`; then nothing runs implicitly after the parent returns. */
  executed: boolean;
  /** Runs the declared sub-handlers now (provided by the engine); resolves when they are all finished. */
  execute: () => Promise<void>;
}

/** The key under which the engine puts its context into execution's per-call data. */
const KEY = 'invocation';

/** The per-call data to give `invoke()` so that {@link currentInvocation} finds `context` during the call. */
export function invocationData(context: InvocationContext): Record<string, unknown> {
  return { [KEY]: context };
}

/**
 * The context of the resource handler running in this async flow, if any: the engine's part of the one
 * per-call context that src/execution/invoke.ts keeps (inline handlers only).
 */
export function currentInvocation(): InvocationContext | undefined {
  return executionContext.getStore()?.data[KEY] as InvocationContext | undefined;
}
