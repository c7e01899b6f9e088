/**
 * The shapes of what the devtools' collector records and serves: timeline lines, handler progress, actor
 * records, and the summaries and details the page reads (src/devtools/collector.ts builds them;
 * src/devtools/server.ts serves them).
 */

/** One line of a timeline, as the page shows it. */
export interface TimelineLine {
  /** Increasing per collector: the page asks for lines after the last one it has. */
  n: number;
  /** The line's identity: a line updated in place (a repeat) keeps its id and gets a new `n`. */
  id: number;
  t: number;
  kind:
    | 'watch'
    | 'coalesced'
    | 'stale'
    | 'state'
    | 'retry'
    | 'throttled'
    | 'handler.start'
    | 'handler.end'
    | 'patch'
    | 'error'
    | 'child'
    | 'admission';
  text: string;
  /** How many steps this line stands for (a child's consecutive transitions are folded into one line). */
  count: number;
  /** Lines with the same key in a row are folded (a timer's sleeping ⇄ running). */
  fold?: string;
}

/** Progress of one handler of an object, from its latest start/end. */
export interface HandlerProgress {
  id: string;
  cause: string;
  state: 'running' | 'retrying' | 'done' | 'failed';
  retries: number;
  delay: number | null;
  error: string | null;
  ms: number | null;
}

/** What the collector keeps of one live actor. */
export interface ActorRecord {
  sid: string;
  /** The engine's key for object actors (`<resource>/<uid>`), else the session id. */
  key: string;
  parent: string | null;
  /** The actor's id: an object's uid-based key, or a child's invoke/spawn id. */
  id: string;
  name: string | null;
  namespace: string | null;
  resource: string | null;
  /** The id of the machine it runs (its diagram), or null for promises, callbacks, … */
  machine: string | null;
  /** The logic's name for non-machine children (`react`, `release`). */
  src: string | null;
  value: unknown;
  valueText: string;
  status: string;
  since: number;
  children: Set<string>;
  handlers: Map<string, HandlerProgress>;
  events: number;
  knownRv: string | null;
}

/** What the page lists. */
export interface ActorSummary {
  key: string;
  name: string | null;
  namespace: string | null;
  resource: string | null;
  machine: string | null;
  state: string;
  since: number;
  children: number;
  /** The actor is passivated (idle, stopped, its record kept by the dispatcher); absent otherwise. */
  passivated?: true;
}

/** A child actor as the page shows it under its parent. */
export interface ChildDetail {
  id: string;
  machine: string | null;
  src: string | null;
  state: string;
  active: string[];
  children: ChildDetail[];
}

/** Everything the page shows of one chosen actor. */
export interface ActorDetail extends Omit<ActorSummary, 'children'> {
  active: string[];
  status: string;
  events: number;
  handlers: HandlerProgress[];
  children: ChildDetail[];
  timeline: TimelineLine[];
}
