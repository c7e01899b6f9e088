/**
 * The worker pool of sync handlers (Piscina), created on first use. Each thread runs worker.ts, which
 * imports the operator files in worker mode and runs handlers by id. Kwargs cross as plain data; the reply
 * is an envelope whose error is turned back into its class here. Nothing is lost: a crashed or overloaded
 * worker, or kwargs/results that cannot cross, come back as a failed reply (a failed attempt for
 * outcome.ts); only a cancellation by the caller's AbortSignal rejects (it terminates that thread, which
 * Piscina replaces). One pool per operator: created and closed by src/engine/operator.ts, which hands it down
 * to where handlers are invoked (invoke.ts); its threads import that operator's files and look handlers up in
 * that operator's registry. Nothing here is process-wide.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { findUncloneable } from './cloneable.ts';
import {
  reviveError,
  type Envelope,
  type LogRecord,
  type PoolTask,
  type StreamMessage,
  type TaskInvocation,
} from './envelope.ts';
import type { EventSink } from './handler-context.ts';
import { takeIndexSnapshots } from './index-snapshots.ts';
import type { RegistryRef } from '../handlers/registry.ts';

/** Pool settings (the engine maps `settings.execution` onto them). */
export interface PoolSettings {
  /** Threads kept alive; default 1 (never more than `maxThreads`). */
  minThreads?: number | null;
  /** At most this many threads; default: the number of cores. */
  maxThreads?: number | null;
  /** Milliseconds an idle thread above `minThreads` is kept; default 60 000. */
  idleTimeout?: number | null;
  /** Tasks waiting for a thread; beyond it a task fails ("Task queue is at limit"). Default: unlimited. */
  maxQueue?: number | null;
  /** Heap limits of each worker thread (Node's Worker `resourceLimits`). */
  resourceLimits?: ResourceLimits | null;
  /** Operator files every thread imports on its first task (sent as `workerData`). */
  moduleUrls?: string[];
  /** The operator's registry, as the threads find it after importing the files; null or unset: the default one. */
  registry?: RegistryRef | null;
}

/** What every thread of a pool is given (Piscina's `workerData`), read by worker.ts. */
export interface PoolWorkerData {
  moduleUrls: string[];
  registry: RegistryRef | null;
}

/** One sync handler call on the pool. */
export interface PoolRun {
  handlerId: string;
  handlerKind?: string | undefined;
  /** The full kwargs: `logger`, `patch`, `memo` and `stopped` are replaced by worker-side stand-ins. */
  kwargs: Record<string, unknown>;
  /** Operator files for the worker to import (added to the pool's own). */
  moduleUrls?: string[] | undefined;
  /** Cancels the call: a queued task is dropped, a running one's thread is terminated. The promise rejects. */
  signal?: AbortSignal | undefined;
  /** A hard deadline in milliseconds: the thread is terminated and the reply is a failure. */
  timeoutMs?: number | null | undefined;
  /** The `stopped` flag's shared memory, when the handler gets one (see stop-flag.ts). */
  stopBuffer?: SharedArrayBuffer | undefined;
  /** Receives log records as they happen (then the reply has none): for long-running daemons and timers. */
  streamLogs?: ((record: LogRecord) => void) | undefined;
  /** The handler's invocation, rebuilt in the worker (sub-handlers; the object for `kopf.adopt()` & co.). */
  invocation?: TaskInvocation | undefined;
  /** Receives the Events the handler posts (`kopf.event/info/warn/exception`): with the reply, or as they happen when streamed. */
  onEvent?: EventSink | undefined;
}

/** What came back: the result or the error (in its class), the patch changes and the log records, in order. */
export type PoolReply = (
  | { ok: true; result: unknown; patch: Record<string, unknown>; logs: LogRecord[] }
  | { ok: false; error: Error; patch: Record<string, unknown>; logs: LogRecord[] }
) & {
  /** Ids of the sub-handlers that ran in the worker on the handler's behalf. */
  subrefs: string[];
  /** An admission handler's `warnings` as the worker left them. */
  warnings?: string[] | undefined;
};

/** Kwargs that never cross: the worker makes its own (`signal`, a daemon's AbortSignal, has no stand-in). */
export const LOCAL_KWARGS: readonly string[] = ['logger', 'patch', 'memo', 'stopped', 'signal'];

const WAY_OUT = 'Make the handler async, or register it with { offload: false }.';

/** The thread running a sync handler died (process.exit, out of memory, an uncaught error) or was overloaded. */
export class WorkerFailedError extends Error {
  override name = 'WorkerFailedError';
}

/** A channel for streamed log records; `drained()` resolves at the worker's final `null` (or soon after). */
function logStream(
  onRecord: (record: LogRecord) => void,
  onEvent: EventSink | undefined,
): { port: MessagePort; drained: () => Promise<void>; close: () => void } {
  const channel = new MessageChannel();
  let ended!: () => void;
  const end = new Promise<void>((resolve) => (ended = resolve));
  channel.port1.on('message', (message: StreamMessage | null) => {
    if (message === null) ended();
    else if ('event' in message) onEvent?.(message.event);
    else onRecord(message);
  });
  const close = (): void => {
    channel.port1.close();
    ended();
  };
  return {
    port: channel.port2,
    close,
    drained: async () => {
      const timer = setTimeout(close, 1000);
      await end;
      clearTimeout(timer);
      close();
    },
  };
}

/** A started pool's figures (for the metrics, src/engine/metrics.ts). */
export interface PoolStats {
  threads: number;
  maxThreads: number;
  /** Tasks waiting for a free thread. */
  queueSize: number;
  /** 0…1: Piscina's share of the threads' capacity used since the pool started. */
  utilization: number;
  /** Tasks completed. */
  completed: number;
}

/** A lazily started Piscina pool running sync handlers by id. */
export class WorkerPool {
  readonly #settings: PoolSettings;
  #piscina: Piscina | null = null;

  constructor(settings: PoolSettings = {}) {
    this.#settings = { ...settings };
  }

  /** Whether the threads were started (by a first task). */
  get started(): boolean {
    return this.#piscina !== null;
  }

  /** The live threads (0 before the first task). */
  get threadCount(): number {
    return this.#piscina?.threads.length ?? 0;
  }

  /** The figures of the started pool; null before its first task (reading them never starts it). */
  stats(): PoolStats | null {
    const p = this.#piscina;
    if (!p) return null;
    return {
      threads: p.threads.length,
      maxThreads: p.maxThreads,
      queueSize: p.queueSize,
      utilization: p.utilization,
      completed: p.completed,
    };
  }

  /** The operator files every thread imports. */
  get moduleUrls(): string[] {
    return this.#settings.moduleUrls ?? [];
  }

  #pool(): Piscina {
    if (this.#piscina) return this.#piscina;
    const s = this.#settings;
    const fromSource = import.meta.url.endsWith('.ts');
    const maxThreads = Math.max(1, s.maxThreads ?? availableParallelism());
    this.#piscina = new Piscina({
      filename: new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href,
      maxThreads,
      minThreads: Math.min(maxThreads, Math.max(0, s.minThreads ?? 1)),
      idleTimeout: s.idleTimeout ?? 60_000,
      ...(s.maxQueue != null ? { maxQueue: s.maxQueue } : {}),
      ...(s.resourceLimits ? { resourceLimits: s.resourceLimits } : {}),
      workerData: { moduleUrls: this.moduleUrls, registry: s.registry ?? null } satisfies PoolWorkerData,
    });
    // A thread that dies outside a task (at start, say) is replaced by Piscina; its error must not crash the operator.
    this.#piscina.on('error', (err: unknown) => {
      process.emitWarning(
        `kopf-ts: a worker thread of the sync-handler pool failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return this.#piscina;
  }

  /** Runs a sync handler on a worker. Rejects only when `signal` cancels it (with the abort error). */
  async run(run: PoolRun): Promise<PoolReply> {
    const kwargs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(run.kwargs))
      if (!LOCAL_KWARGS.includes(key)) kwargs[key] = value;
    // Indexes cross as read-only snapshots (index-snapshots.ts), revived as Index objects in the worker.
    let indexes: PoolTask['indexes'];
    let problem: string | null;
    try {
      indexes = takeIndexSnapshots(kwargs);
      problem = findUncloneable(kwargs, 'kwargs');
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem) {
      const error = new TypeError(
        `The arguments of the sync handler '${run.handlerId}' cannot be sent to a worker thread: ${problem}. ${WAY_OUT}`,
      );
      return { ok: false, error, patch: {}, logs: [], subrefs: [] };
    }
    const task: PoolTask = {
      moduleUrls: run.moduleUrls ?? [],
      handlerId: run.handlerId,
      handlerKind: run.handlerKind,
      kwargs,
      bindings: bindingsOf(run.kwargs.logger),
      stopBuffer: run.stopBuffer,
      invocation: run.invocation,
      indexes,
    };
    const deadline = run.timeoutMs != null ? AbortSignal.timeout(run.timeoutMs) : null;
    const signals = [run.signal, deadline].filter((s): s is AbortSignal => s != null);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    let envelope: Envelope;
    const stream = run.streamLogs ? logStream(run.streamLogs, run.onEvent) : null;
    if (stream) task.logPort = stream.port;
    try {
      envelope = (await this.#pool().run(task, {
        ...(signal ? { signal } : {}),
        ...(stream ? { transferList: [stream.port] as never } : {}),
      })) as Envelope;
      await stream?.drained();
    } catch (err) {
      stream?.close();
      if (run.signal?.aborted) throw err;
      return { ok: false, error: this.#failure(run, err, deadline), patch: {}, logs: [], subrefs: [] };
    }
    for (const event of envelope.events) run.onEvent?.(event);
    const warnings = envelope.warnings ? { warnings: envelope.warnings } : {};
    if (envelope.ok)
      return {
        ok: true,
        result: envelope.result,
        patch: envelope.patch,
        logs: envelope.logs,
        subrefs: envelope.subrefs,
        ...warnings,
      };
    return {
      ok: false,
      error: reviveError(envelope.error),
      patch: envelope.patch,
      logs: envelope.logs,
      subrefs: envelope.subrefs,
      ...warnings,
    };
  }

  #failure(run: PoolRun, err: unknown, deadline: AbortSignal | null): Error {
    const who = `the sync handler '${run.handlerId}'`;
    if (deadline?.aborted) {
      return new WorkerFailedError(
        `The worker thread running ${who} was terminated after ${run.timeoutMs} ms.`,
        { cause: err },
      );
    }
    if (!(err instanceof Error)) {
      // Piscina rejects with a bare object when the reply cannot be posted back.
      return new WorkerFailedError(
        `The reply of ${who} could not be sent back from its worker thread (something in it cannot be cloned). ${WAY_OUT}`,
        {
          cause: err,
        },
      );
    }
    if (err.name === 'DataCloneError') {
      return new TypeError(
        `The arguments of ${who} cannot be sent to a worker thread (${err.message}). ${WAY_OUT}`,
        { cause: err },
      );
    }
    return new WorkerFailedError(`The worker thread running ${who} failed: ${err.message}`, { cause: err });
  }

  /** The handler ids (`kind:id`) registered in a worker after importing the operator files (compare with main's). */
  async registeredIds(moduleUrls: string[] = []): Promise<string[]> {
    return (await this.#pool().run({ moduleUrls }, { name: 'handlerIds' })) as string[];
  }

  /** Stops the threads: waits for running tasks (up to Piscina's close timeout), or terminates them if `force`. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    const p = this.#piscina;
    this.#piscina = null;
    if (!p) return;
    if (options.force) await p.destroy();
    else await p.close();
  }
}

/** The object's bindings of a pino logger (or `{}` for any other logger). */
function bindingsOf(logger: unknown): Record<string, unknown> {
  const fn = (logger as { bindings?: unknown } | null | undefined)?.bindings;
  if (typeof fn !== 'function') return {};
  try {
    const b = (fn as () => unknown).call(logger);
    return b && typeof b === 'object' ? JSON.parse(JSON.stringify(b)) : {};
  } catch {
    return {};
  }
}
