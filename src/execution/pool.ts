/**
 * The worker pool for sync handlers (Piscina): created on first use; each worker imports the operator's
 * files in "worker mode" and runs handlers by id (worker.ts). Arguments cross as plain data; the logger's
 * records, the `patch` and errors (with their class and fields) come back in an envelope and are replayed
 * here. Called by invoke.ts; closed by the engine at shutdown.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { HandlerRetriesError, HandlerTimeoutError, PermanentError, TemporaryError, AdmissionError } from '../model/errors.ts';
import type { Envelope, SerializedError } from './worker.ts';

let pool: Piscina | null = null;

/** Pool settings (from settings.execution). */
export interface PoolSettings {
  maxThreads?: number | null;
  minThreads?: number | null;
  idleTimeout?: number;
  maxQueue?: number | null;
}
let poolSettings: PoolSettings = {};

/** Sets the pool's settings (before first use). */
export function configurePool(settings: PoolSettings): void {
  poolSettings = settings;
}

function getPool(): Piscina {
  if (pool) return pool;
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  const cores = availableParallelism();
  pool = new Piscina({
    filename,
    maxThreads: poolSettings.maxThreads ?? cores,
    minThreads: poolSettings.minThreads ?? Math.min(1, cores),
    idleTimeout: poolSettings.idleTimeout ?? 60_000,
    ...(poolSettings.maxQueue ? { maxQueue: poolSettings.maxQueue } : {}),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  });
  return pool;
}

/** Closes the pool (at operator stop). */
export async function closePool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}

/** Options of {@link runOnPool}. */
export interface PoolRun {
  handlerId: string;
  kwargs: Record<string, unknown>;
  moduleUrls: string[];
  signal?: AbortSignal | undefined;
}

const LOCAL_ONLY = ['logger', 'memo', 'patch', 'stopped'];

/** Runs the handler on a worker; resolves with its result or rejects with its error (class preserved). */
export async function runOnPool(run: PoolRun): Promise<unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(run.kwargs)) if (!LOCAL_ONLY.includes(key)) plain[key] = value;
  let envelope: Envelope;
  try {
    envelope = (await getPool().run(
      { moduleUrls: run.moduleUrls, handlerId: run.handlerId, kwargs: plain },
      run.signal ? { signal: run.signal } : {},
    )) as Envelope;
  } catch (err) {
    if ((err as Error)?.name === 'DataCloneError') {
      throw new TypeError(
        `The arguments of sync handler '${run.handlerId}' cannot be sent to a worker thread (${(err as Error).message}). ` +
          `Make the handler async, or register it with { offload: false }.`,
        { cause: err },
      );
    }
    throw err instanceof Error ? err : new Error(`The worker running '${run.handlerId}' failed: ${String(err)}`, { cause: err });
  }
  const logger = run.kwargs.logger as Record<string, (msg: string) => void> | undefined;
  for (const record of envelope.logs) logger?.[record.level]?.call(logger, record.message);
  const patch = run.kwargs.patch as Record<string, unknown> | undefined;
  if (patch && envelope.patch) mergeInto(patch, envelope.patch);
  if (!envelope.ok) throw revive(envelope.error);
  return envelope.result;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)) {
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}

function revive(e: SerializedError): Error {
  let err: Error;
  switch (e.name) {
    case 'TemporaryError':
      err = new TemporaryError(e.message, { delay: e.delay ?? null });
      break;
    case 'PermanentError':
      err = new PermanentError(e.message);
      break;
    case 'HandlerTimeoutError':
      err = new HandlerTimeoutError(e.message);
      break;
    case 'HandlerRetriesError':
      err = new HandlerRetriesError(e.message);
      break;
    case 'AdmissionError':
      err = new AdmissionError(e.message, e.code !== undefined ? { code: e.code } : {});
      break;
    default:
      err = new Error(e.message);
      err.name = e.name;
  }
  if (e.stack) err.stack = e.stack;
  return err;
}
