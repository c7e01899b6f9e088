/**
 * The per-resource services an object's reactions use: settings, the kube client, the handler selection of
 * src/handlers and the handler runner of src/execution, behind one small interface. Built by
 * src/engine/resource-services.ts; used by reaction.ts, release.ts and object-actor.ts (and unit tests).
 */
import type { Body } from '../model/body.ts';
import type { Diff } from '../model/diff.ts';
import type { FieldPath, FieldSpec } from '../model/dicts.ts';
import type { Patch } from '../model/patch.ts';
import type { Outcome, ProgressRecord } from '../model/progress.ts';
import type { Resource } from '../model/resource.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../observe/log.ts';
import type { ChangeState } from './change-state.ts';
import type { TimelineEntry } from './timeline.ts';

/** The causes that run change handlers. */
export type ChangingCause = 'create' | 'update' | 'resume' | 'delete';

/** What the reaction needs to know of a change handler. */
export interface ChangingHandlerRef {
  id: string;
  /** The handler's `field`, as a path, for field handlers and field filters. */
  field?: readonly string[] | null;
}

/** One attempt's result: the outcome for the progress record, and the handler's return value. */
export interface HandlerAttempt {
  outcome: Outcome;
  result?: unknown;
}

/** Inputs of one change-handler attempt. */
export interface ChangingRun {
  body: Body;
  cause: ChangingCause;
  record: ProgressRecord;
  patch: Patch;
  diff: Diff;
  old: unknown;
  new: unknown;
  signal: AbortSignal;
}

/** What a reaction tells the object machine. */
export interface ReactionOutput {
  outcome: 'done' | 'delayed';
  /** Seconds until the next attempt (delayed only). */
  delay?: number;
  /** The newest body returned by our writes, if any. */
  body?: Body;
  /** The object disappeared while we wrote (404). */
  gone?: boolean;
}

/** Services of one resource, shared by its objects' actors. */
export interface ObjectServices {
  resource: Resource;
  settings: OperatorSettings;
  client: KubeClient;
  /** The object's logger (bound to namespace/name/uid/kind). */
  logger: Logger;
  /** Fields re-added to the essence (the `field` of change handlers). */
  extraFields: FieldSpec[];
  /** Fields whose values are secret (src/model/sensitive.ts): digested in the essence, redacted in logs. Default none. */
  sensitiveFields?: readonly FieldPath[];
  now(): number;
  /** Change handlers due for this cause (filters matched; resume mixed in while `initial`). */
  selectChanging(cause: ChangingCause, body: Body, state: ChangeState, initial: boolean): ChangingHandlerRef[];
  /** Whether any change handler of the resource pre-matches the object (else: stealth mode). */
  anyChangingPrematches(body: Body): boolean;
  /** Whether a pre-matching handler needs the finalizer (a non-optional delete handler). */
  requiresFinalizer(body: Body): boolean;
  /** Whether resume handlers exist for this body (for the `resume` cause). */
  hasResumeHandlers(body: Body, deleted: boolean): boolean;
  /** Ids of all change handlers of the resource (to find and purge stale records). */
  changingHandlerIds(): string[];
  /** Runs one attempt of a change handler. */
  runChanging(handler: ChangingHandlerRef, run: ChangingRun): Promise<HandlerAttempt>;
  /** Where the object's timeline goes (devtools); unset when nobody observes. */
  timeline?: (entry: TimelineEntry) => void;
}
