/**
 * Running the sub-handlers a change handler declared (`kopf.subhandler`, Kopf's sub-handlers): each one with
 * the id `parent/child`, its own progress record (read from the body, written into the patch), retries and
 * result; the parent is finished only when all are, until then it is retried with HandlerChildrenRetry (as
 * Kopf). The same loop serves a parent running in the event loop (src/engine/resource-services.ts runs each
 * child as a change handler of its own) and a plain parent on the pool (worker.ts runs the children in the
 * worker, where their closures live). Imports only model and this layer's context types.
 */
import type { Body } from '../model/body.ts';
import { HandlerChildrenRetry } from '../model/errors.ts';
import type { Patch } from '../model/patch.ts';
import {
  delayOf,
  isAwakened,
  isFinished,
  newRecord,
  normalizeRecord,
  withOutcome,
  type Outcome,
  type ProgressRecord,
} from '../model/progress.ts';
import { writeRecord, type ProgressStorage } from '../model/progress-storages.ts';
import { storagesOf } from '../model/storages.ts';
import { deliverResultIfChanged } from '../model/results.ts';
import type { DeclaredSubhandler } from './handler-context.ts';
import type { AttemptResult } from './attempt.ts';

/** The per-call data key under which the engine passes {@link SubhandlingSettings} (for a plain parent on the pool). */
export const SUBHANDLING = 'subhandling';

/** The settings the loop needs (from `settings.persistence` and `settings.execution`), as plain data. */
export interface SubhandlingSettings {
  prefix: string;
  v1Keys: boolean;
  rewriteUnchangedResults: boolean;
  defaultBackoff: number;
  /** `settings.persistence.progressStorage` is set: a storage object, which cannot cross to a pool worker. */
  customProgressStorage: boolean;
}

/**
 * The progress storage a pool worker uses for a plain parent's sub-handlers: Kopf's default one (built from the
 * prefix). A storage set in `settings.persistence.progressStorage` is an object of the main thread: then the
 * sub-handlers of a plain parent cannot run on the pool, and the error says what to do.
 */
export function workerProgressStorage(settings: SubhandlingSettings, parentId: string): ProgressStorage {
  if (settings.customProgressStorage) {
    throw new TypeError(
      `The sub-handlers of the plain handler '${parentId}' cannot run on the worker pool with a custom ` +
        `settings.persistence.progressStorage (it is an object of the main thread). Make '${parentId}' async, or register it with { offload: false }.`,
    );
  }
  const persistence = {
    prefix: settings.prefix,
    v1Keys: settings.v1Keys,
    progressStorage: null,
    diffbaseStorage: null,
  };
  return storagesOf({ persistence } as unknown as Parameters<typeof storagesOf>[0]).progress;
}

/** One awakened child to run: its full id, its declaration, its progress record so far. */
export interface ChildRun {
  id: string;
  declared: DeclaredSubhandler;
  record: ProgressRecord;
}

/** Options of {@link runSubhandlers}. */
export interface SubhandlingOptions {
  parentId: string;
  declared: readonly DeclaredSubhandler[];
  body: Body;
  /** The cause being handled (the records' purpose). */
  cause: string;
  patch: Patch;
  settings: SubhandlingSettings;
  /** Where the children's progress records are read and written. */
  progress: ProgressStorage;
  now: () => number;
  /** Collects the ids of the children (and theirs), for the parent's record. */
  subrefs: Set<string>;
  /** Runs one child once; its outcome and result. */
  runChild: (child: ChildRun) => Promise<{ outcome: Outcome; result?: unknown }>;
}

/** Runs the awakened children; throws HandlerChildrenRetry while some are unfinished. */
export async function runSubhandlers(options: SubhandlingOptions): Promise<void> {
  const { body, patch, settings, progress } = options;
  const delays: number[] = [];
  for (const sub of options.declared) {
    const id = `${options.parentId}/${sub.id}`;
    options.subrefs.add(id);
    const now = options.now();
    const stored = progress.fetch({ key: id, body });
    const origin = stored ? normalizeRecord(stored, now) : null;
    let record: ProgressRecord =
      origin && origin.purpose === options.cause ? origin : newRecord(now, options.cause);
    if (isAwakened(record, now)) {
      const { outcome, result } = await options.runChild({ id, declared: sub, record });
      for (const ref of outcome.subrefs ?? []) options.subrefs.add(ref);
      record = withOutcome(record, outcome, options.now());
      if (outcome.final && !outcome.error && result !== undefined) {
        deliverResultIfChanged(patch, body, id, result, {
          rewriteUnchanged: settings.rewriteUnchangedResults,
        });
      }
    }
    writeRecord(progress, { key: id, record, origin, body, patch });
    if (!isFinished(record)) delays.push(delayOf(record, options.now()) ?? 0);
  }
  if (delays.length > 0)
    throw new HandlerChildrenRetry('Sub-handlers are not finished yet.', { delay: Math.min(...delays) });
}

/**
 * The invocable handler of a declared child, with Kopf's defaults for sub-handlers: it runs inline where its
 * parent runs (it is a closure), errors are temporary unless declared otherwise.
 */
export function childHandler(
  id: string,
  sub: DeclaredSubhandler,
): {
  id: string;
  fn: (kwargs: any) => unknown;
  isAsync: boolean;
  offload: false;
  param: unknown;
  errors: 'temporary' | 'permanent' | 'ignored';
  timeout: number | null;
  retries: number | null;
  backoff: number | null;
} {
  return {
    id,
    fn: sub.fn,
    isAsync: sub.fn.constructor?.name === 'AsyncFunction',
    offload: false,
    param: sub.options.param ?? null,
    errors: sub.options.errors ?? 'temporary',
    timeout: sub.options.timeout ?? null,
    retries: sub.options.retries ?? null,
    backoff: sub.options.backoff ?? null,
  };
}

/** A classified attempt as the outcome to record (and its result), with the ids of the sub-handlers it ran. */
export function attemptOutcome(
  attempted: AttemptResult,
  subrefs: Iterable<string>,
): {
  outcome: { final: boolean; error: string | null; delay: number | null; subrefs: string[] };
  result: unknown;
} {
  return {
    outcome: {
      final: attempted.final,
      error: attempted.error ?? null,
      delay: attempted.delay ?? null,
      subrefs: [...subrefs],
    },
    result: attempted.result,
  };
}
