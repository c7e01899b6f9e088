/**
 * Invoking one handler function with its kwargs: an `async function` runs in the event loop; a plain
 * (sync) function runs on the worker pool unless `offload: false` (or no operator files are known, e.g.
 * a handler registered from code at run time), in which case it runs inline. Called by src/engine.
 */
import { runOnPool } from './pool.ts';

/** What invoking needs of a handler. */
export interface InvokableHandler {
  id: string;
  fn: (kwargs: any) => unknown;
  isAsync: boolean;
  offload: boolean;
}

/** Options of {@link invoke}. */
export interface InvokeOptions {
  handler: InvokableHandler;
  kwargs: Record<string, unknown>;
  /** The operator's files, imported by pool workers to find the handler by id. */
  moduleUrls: string[];
  signal?: AbortSignal | undefined;
}

/** Calls the handler and resolves with its result (or rejects with what it threw). */
export async function invoke(options: InvokeOptions): Promise<unknown> {
  const { handler, kwargs } = options;
  if (handler.isAsync || !handler.offload || options.moduleUrls.length === 0) {
    return await handler.fn(kwargs);
  }
  return await runOnPool({ handlerId: handler.id, kwargs, moduleUrls: options.moduleUrls, signal: options.signal });
}
