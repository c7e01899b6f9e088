/**
 * Which change handlers apply to an object now: Kopf's handler selection for a cause (reason match, resume
 * handlers mixed in while the object is "initial", `deleted: true` for resume on deleted objects, filters),
 * the finalizer decision, and stealth mode. Used by src/engine. No I/O.
 */
import type { Body } from '../model/body.ts';
import type { ChangingHandler } from './handler.ts';
import { matchFilters } from './filters.ts';

/** The causes with change handlers. */
export type ChangingCauseName = 'create' | 'update' | 'resume' | 'delete';

/** What the selection looks at. */
export interface CauseSubject {
  body: Body;
  old: unknown;
  new: unknown;
  initial: boolean;
  /** The cause kwargs for filter callbacks (built lazily). */
  kwargs: () => Record<string, any>;
}

/** The handlers due for the cause, in registration order, each function+id once. */
export function selectChangingHandlers(handlers: readonly ChangingHandler[], cause: ChangingCauseName, subject: CauseSubject): ChangingHandler[] {
  const initial = cause === 'create' ? false : subject.initial;
  const deleting = Boolean(subject.body.metadata.deletionTimestamp);
  const out: ChangingHandler[] = [];
  const seen = new Set<string>();
  for (const h of handlers) {
    if (h.reason !== null && h.reason !== cause) continue;
    if (h.initial && !initial) continue;
    if (h.initial && deleting && !h.deleted) continue;
    if (!matchFilters(h.filters, h.field, subject, { changeCause: true, fieldNeedsChange: h.fieldNeedsChange })) continue;
    if (seen.has(h.id)) continue;
    seen.add(h.id);
    out.push(h);
  }
  return out;
}

/** Whether a handler pre-matches the object: its filters without the field-change checks. */
export function prematches(h: ChangingHandler, subject: Omit<CauseSubject, 'initial'>): boolean {
  return matchFilters(h.filters, h.field, subject, { changeCause: true, prematch: true });
}

/** Whether any pre-matching handler needs the finalizer (a non-optional delete handler). */
export function requiresFinalizer(handlers: readonly ChangingHandler[], subject: Omit<CauseSubject, 'initial'>): boolean {
  return handlers.some((h) => h.requiresFinalizer && prematches(h, subject));
}

/** Stealth mode is when this is false: no change handler pre-matches the object, so nothing is stored. */
export function anyPrematches(handlers: readonly ChangingHandler[], subject: Omit<CauseSubject, 'initial'>): boolean {
  return handlers.some((h) => prematches(h, subject));
}

/** Whether resume handlers apply to a (possibly deleted) object. */
export function hasResumeHandlers(handlers: readonly ChangingHandler[], subject: Omit<CauseSubject, 'initial'>): boolean {
  const deleting = Boolean(subject.body.metadata.deletionTimestamp);
  return handlers.some((h) => h.initial && (!deleting || h.deleted) && prematches(h, subject));
}
