/**
 * The progress and diff-base storages in effect for an operator: `settings.persistence.progressStorage` and
 * `diffbaseStorage` when set, else Kopf's defaults (`SmartProgressStorage`, `AnnotationsDiffBaseStorage`) with
 * `settings.persistence.prefix` and `v1Keys`. A value that is not a storage is a clear error.
 *
 * Called by the engine (src/engine/operator.ts checks at start; change-state.ts, reaction.ts and
 * resource-services.ts use them per reaction). Pure.
 */
import { AnnotationsDiffBaseStorage, DiffBaseStorage } from './diffbase-storages.ts';
import { ProgressStorage, SmartProgressStorage } from './progress-storages.ts';
import type { OperatorSettings } from './settings.ts';

/** The two storages in effect. */
export interface Storages {
  progress: ProgressStorage;
  diffbase: DiffBaseStorage;
}

const defaults = new Map<string, Storages>();

/** The storages of these settings; throws a TypeError naming the setting when one is not a storage. */
export function storagesOf(settings: Pick<OperatorSettings, 'persistence'>): Storages {
  const { progressStorage, diffbaseStorage, prefix, v1Keys } = settings.persistence;
  if (progressStorage != null && !(progressStorage instanceof ProgressStorage)) {
    throw new TypeError(
      `settings.persistence.progressStorage must be a progress storage (e.g. new kopf.StatusProgressStorage()); got ${describe(progressStorage)}.`,
    );
  }
  if (diffbaseStorage != null && !(diffbaseStorage instanceof DiffBaseStorage)) {
    throw new TypeError(
      `settings.persistence.diffbaseStorage must be a diff-base storage (e.g. new kopf.StatusDiffBaseStorage()); got ${describe(diffbaseStorage)}.`,
    );
  }
  let fallback: Storages | undefined;
  if (progressStorage == null || diffbaseStorage == null) {
    const key = `${prefix}\n${v1Keys}`;
    fallback = defaults.get(key);
    if (!fallback) {
      fallback = {
        progress: new SmartProgressStorage({ prefix, v1: v1Keys }),
        diffbase: new AnnotationsDiffBaseStorage({ prefix, v1: v1Keys }),
      };
      defaults.set(key, fallback);
    }
  }
  return { progress: progressStorage ?? fallback!.progress, diffbase: diffbaseStorage ?? fallback!.diffbase };
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'an object';
  if (typeof value === 'function') return `a function ${value.name || ''}`.trim();
  return JSON.stringify(value) ?? String(value);
}
