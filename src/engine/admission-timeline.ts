/**
 * Admission reviews (src/admission) as entries of the reviewed object's devtools timeline. Wired by
 * src/engine/operator.ts when the devtools observe the operator.
 */
import type { ReviewSummary } from '../admission/review.ts';
import type { TimelineSink } from './timeline.ts';

/** The admission reviews of an object as its timeline entries, one per handler. */
export function admissionTimeline(sink: TimelineSink): (key: string | null, summary: ReviewSummary) => void {
  return (key, summary) => {
    for (const v of summary.verdicts) {
      // An object being created has no uid yet: the devtools match it by name when its actor appears.
      sink(key ?? `${summary.resource}/`, {
        type: 'admission',
        handler: v.handler,
        namespace: summary.namespace,
        name: summary.name,
        operation: v.operation,
        dryrun: v.dryrun,
        allowed: v.allowed,
        ...(v.message !== undefined ? { message: v.message } : {}),
        patch: summary.patch,
        warnings: summary.warnings,
        ms: v.ms,
      });
    }
  };
}
