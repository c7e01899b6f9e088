/**
 * Sub-handlers (`kopf.subhandler`, `kopf.register`, `kopf.execute`): a change handler declares them while it
 * runs; they then run as change handlers of their own with ids `parent/child`, their own progress records,
 * retries and results, and the parent is finished only when they all are (until then the parent is retried
 * with HandlerChildrenRetry, as Kopf). The declaration context is an AsyncLocalStorage set by
 * resource-services.ts around each change-handler call; the front door reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A sub-handler as declared inside a running parent. */
export interface DeclaredSubhandler {
  id: string;
  fn: (kwargs: any) => unknown;
  options: { errors?: 'temporary' | 'permanent' | 'ignored'; timeout?: number | null; retries?: number | null; backoff?: number | null; param?: unknown };
}

/** The context of a running change handler. */
export interface InvocationContext {
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

/** The context of the change handler running in this async flow, if any. */
export const invocationContext = new AsyncLocalStorage<InvocationContext>();

const KEY = Symbol.for('kopf-ts.invocation-context');
(globalThis as Record<symbol, unknown>)[KEY] = invocationContext;
