/**
 * What observers (the devtools) may learn from an object's reactions beyond what its actor's inspection
 * events say: handler starts and ends, patches written, reaction errors. The sink is optional everywhere:
 * when no observer is attached (`OperatorOptions.timeline` unset), nothing is built or called. Emitted by
 * src/engine/reaction.ts, release.ts, resource-services.ts, background.ts, object-actor.ts and operator.ts (admission
 * reviews); consumed by
 * src/devtools.
 */

/** One entry of an object's timeline (the engine's side; the actor's own events come from inspection). */
export type TimelineEntry =
  /** `cause` is the change cause, or `daemon`/`timer` for a run of one. */
  | { type: 'handler.start'; handler: string; cause: string; retry: number }
  | { type: 'handler.end'; handler: string; cause: string; outcome: 'success' | 'retry' | 'failure'; delay?: number | null; error?: string; ms: number }
  | { type: 'patch'; what: 'finalizer' | 'progress' | 'done' | 'release' | 'daemon' | 'timer'; patch: unknown }
  | { type: 'error'; message: string }
  /** An admission review of the object by one handler (src/admission): its verdict, and the request's mutations and warnings. */
  | { type: 'admission'; handler: string; namespace: string | null; name: string | null; operation: string; dryrun: boolean; allowed: boolean; message?: string; patch: unknown[]; warnings: string[]; ms: number };

/**
 * Receives the timeline entries of every object, by the object's actor key (`<resource>/<uid>`). An admission
 * review of an object not created yet (no uid) comes with the key `<resource>/` and the object's name in the entry.
 */
export type TimelineSink = (key: string, entry: TimelineEntry) => void;
