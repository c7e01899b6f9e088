/**
 * Turns XState inspection events (every object actor and its children: react/release invocations, daemons,
 * timers) and the engine's timeline entries into small per-actor records the devtools page shows: current
 * state, children, handler progress, and a timeline (watch events, coalesced and stale events, state changes,
 * retries with their delays, handler starts and ends, patches, errors). Bounded: live actors only (a record is
 * dropped when its actor ends), at most `maxActors` of them, a ring of `timelineSize` entries per object, and
 * timelines kept for the `maxTimelines` most recently active objects only. No body is ever retained.
 * A passivated object actor (ended in its `passivated` state) stays listed as idle, marked `passivated`, with
 * its timeline, until its object's next event restores it (a new actor with the same key) or it is deleted.
 * Created by src/devtools/index.ts; read by src/devtools/server.ts.
 */
import type { InspectionEvent } from 'xstate';
import type { TimelineEntry } from '../engine/timeline.ts';
import type { ActorDetail, ActorRecord, ActorSummary, ChildDetail, TimelineLine } from './records.ts';
import { Ring } from './ring.ts';
import { activePaths, admissionText, patchText, valueText } from './timeline-texts.ts';

/** Limits of a {@link Collector}. */
export interface CollectorLimits {
  /** Entries kept per object's timeline (a ring). Default 200. */
  timelineSize?: number;
  /** Objects whose timelines are kept (the most recently active). Default 2000. */
  maxTimelines?: number;
  /** Live actors (objects and their children) recorded at most; later ones are counted, not recorded. Default 100,000. */
  maxActors?: number;
}

/** Causes of handler runs that are not changes: their runs repeat, so only their failures make lines. */
const BACKGROUND = new Set(['daemon', 'timer']);

interface WatchEventLike {
  type?: string | null;
  object?: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };
}

/** Collects the devtools' view of the actors. */
export class Collector {
  readonly timelineSize: number;
  readonly maxTimelines: number;
  readonly maxActors: number;
  readonly #actors = new Map<string, ActorRecord>();
  readonly #byKey = new Map<string, string>();
  /** Passivated objects (their actors ended), listed as idle until restored. */
  readonly #passivated = new Map<string, ActorSummary>();
  /** Timelines by object key, least recently active first (re-inserted on every push). */
  readonly #timelines = new Map<string, Ring<TimelineLine>>();
  #n = 0;
  /** Root keys changed since the last `drain()`. */
  #dirty = new Set<string>();
  #removed = new Set<string>();
  /** Actors not recorded because `maxActors` was reached. */
  dropped = 0;

  constructor(limits: CollectorLimits = {}) {
    this.timelineSize = limits.timelineSize ?? 200;
    this.maxTimelines = limits.maxTimelines ?? 2000;
    this.maxActors = limits.maxActors ?? 100_000;
  }

  /** Inspection events the collector could not read (it never throws into the actors). */
  failures = 0;

  /** The XState inspection observer (give it to runOperator's `inspect`). Cheap: reads a few fields. */
  readonly inspect = (event: InspectionEvent): void => {
    try {
      if (event.type === '@xstate.actor') this.#actor(event.actorRef);
      else if (event.type === '@xstate.snapshot') this.#snapshot(event.actorRef, event.snapshot, event.event);
    } catch {
      this.failures++;
    }
  };

  /** The engine's timeline sink (give it to runOperator's `timeline`). */
  readonly timeline = (key: string, entry: TimelineEntry): void => {
    const sid = this.#byKey.get(key);
    const rec = sid ? this.#actors.get(sid) : undefined;
    if (!rec) {
      // An admission review before the object's actor exists (a CREATE has no uid yet): kept until it appears.
      if (entry.type === 'admission' && entry.name) this.#keepAdmission(`${key.slice(0, key.lastIndexOf('/'))}|${entry.namespace ?? ''}|${entry.name}`, admissionText(entry));
      return;
    }
    switch (entry.type) {
      case 'handler.start':
        // A change handler of another cause is superseded; daemons and timers stay listed.
        if (!BACKGROUND.has(entry.cause)) for (const [id, h] of rec.handlers) if (h.cause !== entry.cause && !BACKGROUND.has(h.cause)) rec.handlers.delete(id);
        rec.handlers.set(entry.handler, { id: entry.handler, cause: entry.cause, state: 'running', retries: entry.retry, delay: null, error: null, ms: null });
        // A daemon's or timer's every run would flood the timeline: its progress row says it; failures are lines.
        if (!BACKGROUND.has(entry.cause)) this.#line(rec, 'handler.start', `${entry.handler} started (${entry.cause}${entry.retry ? `, retry ${entry.retry}` : ''})`);
        break;
      case 'handler.end': {
        const prev = rec.handlers.get(entry.handler);
        const state = entry.outcome === 'success' ? 'done' : entry.outcome === 'failure' ? 'failed' : 'retrying';
        rec.handlers.set(entry.handler, {
          id: entry.handler,
          cause: entry.cause,
          state,
          retries: (prev?.retries ?? 0) + (entry.outcome === 'retry' ? 1 : 0),
          delay: entry.delay ?? null,
          error: entry.error ?? null,
          ms: entry.ms,
        });
        if (BACKGROUND.has(entry.cause) && entry.outcome === 'success') break;
        const why = entry.error ? `: ${entry.error}` : '';
        const when = entry.outcome === 'retry' && entry.delay != null ? `; retry in ${entry.delay} s` : '';
        this.#line(rec, 'handler.end', `${entry.handler} ${entry.outcome === 'success' ? 'succeeded' : entry.outcome === 'failure' ? 'failed' : 'failed temporarily'} in ${entry.ms} ms${why}${when}`);
        break;
      }
      case 'patch':
        this.#line(rec, 'patch', `patch (${entry.what}): ${patchText(entry.patch)}`);
        break;
      case 'error':
        this.#line(rec, 'error', entry.message);
        break;
      case 'admission':
        this.#line(rec, 'admission', admissionText(entry));
        break;
    }
    this.#dirty.add(rec.key);
  };

  /** Number of passivated objects listed. */
  get passivated(): number {
    return this.#passivated.size;
  }

  /** Number of live actors recorded (objects and children). */
  get size(): number {
    return this.#actors.size;
  }

  /** Number of objects whose timelines are kept. */
  get timelines(): number {
    return this.#timelines.size;
  }

  /** Every live object (root actor), for the list. */
  list(): ActorSummary[] {
    const out: ActorSummary[] = [];
    for (const rec of this.#actors.values()) if (rec.parent === null) out.push(this.#summary(rec));
    for (const summary of this.#passivated.values()) out.push(summary);
    return out;
  }

  /** One object's list entry, or undefined when it is not (or no longer) live. */
  summary(key: string): ActorSummary | undefined {
    const rec = this.#actors.get(this.#byKey.get(key) ?? key);
    return rec && rec.parent === null ? this.#summary(rec) : this.#passivated.get(key);
  }

  /** One object's detail, or undefined when it is not (or no longer) live. */
  detail(key: string, after = 0): ActorDetail | undefined {
    const sid = this.#byKey.get(key) ?? key;
    const rec = this.#actors.get(sid);
    const passive = this.#passivated.get(key);
    if (passive && !rec) {
      const { children: _children, ...summary } = passive;
      const timeline = (this.#timelines.get(key)?.toArray() ?? []).filter((l) => l.n > after);
      return { ...summary, active: ['idle'], status: 'passivated', events: 0, handlers: [], children: [], timeline };
    }
    if (!rec || rec.parent !== null) return undefined;
    return {
      ...this.#summary(rec),
      active: activePaths(rec.value),
      status: rec.status,
      events: rec.events,
      handlers: [...rec.handlers.values()],
      children: this.#children(rec),
      timeline: (this.#timelines.get(rec.key)?.toArray() ?? []).filter((l) => l.n > after),
    };
  }

  /** The keys changed and removed since the last call (for batched pushes). */
  drain(): { changed: string[]; removed: string[] } {
    const changed = [...this.#dirty].filter((k) => !this.#removed.has(k) || this.#byKey.has(k));
    const removed = [...this.#removed].filter((k) => !this.#byKey.has(k));
    this.#dirty = new Set();
    this.#removed = new Set();
    return { changed, removed };
  }

  #summary(rec: ActorRecord): ActorSummary {
    return { key: rec.key, name: rec.name, namespace: rec.namespace, resource: rec.resource, machine: rec.machine, state: rec.valueText, since: rec.since, children: rec.children.size };
  }

  #children(rec: ActorRecord): ChildDetail[] {
    const out: ChildDetail[] = [];
    for (const sid of rec.children) {
      const child = this.#actors.get(sid);
      if (!child) continue;
      out.push({ id: child.id, machine: child.machine, src: child.src, state: child.valueText || child.status, active: activePaths(child.value), children: this.#children(child) });
    }
    return out;
  }

  #root(rec: ActorRecord): ActorRecord {
    let r = rec;
    while (r.parent !== null) {
      const p = this.#actors.get(r.parent);
      if (!p) break;
      r = p;
    }
    return r;
  }

  #line(rec: ActorRecord, kind: TimelineLine['kind'], text: string, fold?: string): void {
    const root = this.#root(rec);
    let ring = this.#timelines.get(root.key);
    if (ring) this.#timelines.delete(root.key);
    else ring = new Ring<TimelineLine>(this.timelineSize);
    this.#timelines.set(root.key, ring);
    if (this.#timelines.size > this.maxTimelines) {
      const oldest = this.#timelines.keys().next().value;
      if (oldest !== undefined) this.#timelines.delete(oldest);
    }
    const last = ring.last();
    if (fold !== undefined && last?.fold === fold) ring.replaceLast({ ...last, n: ++this.#n, t: Date.now(), text, count: last.count + 1 });
    else ring.push({ n: ++this.#n, id: this.#n, t: Date.now(), kind, text, count: 1, ...(fold !== undefined ? { fold } : {}) });
    this.#dirty.add(root.key);
  }

  /** Admission lines of objects without an actor yet, by `resource|namespace|name` (bounded: oldest dropped). */
  readonly #earlyAdmissions = new Map<string, string[]>();

  #keepAdmission(id: string, text: string): void {
    const texts = this.#earlyAdmissions.get(id) ?? [];
    this.#earlyAdmissions.delete(id);
    texts.push(text);
    this.#earlyAdmissions.set(id, texts.slice(-this.timelineSize));
    if (this.#earlyAdmissions.size > this.maxTimelines) this.#earlyAdmissions.delete(this.#earlyAdmissions.keys().next().value!);
  }

  /** Moves the admission lines kept for an object into its actor's timeline, once the actor is known by name. */
  #takeAdmissions(rec: ActorRecord): void {
    const id = `${rec.resource ?? ''}|${rec.namespace ?? ''}|${rec.name ?? ''}`;
    const texts = this.#earlyAdmissions.get(id);
    if (!texts) return;
    this.#earlyAdmissions.delete(id);
    for (const text of texts) this.#line(rec, 'admission', text);
  }

  #actor(ref: unknown): void {
    const r = ref as { sessionId: string; id: string; _parent?: { sessionId: string }; logic?: { id?: string; root?: unknown }; src?: unknown };
    if (this.#actors.has(r.sessionId)) return;
    const parentSid = r._parent?.sessionId ?? null;
    if (parentSid !== null && !this.#actors.has(parentSid)) return; // a child of an actor not recorded
    if (this.#actors.size >= this.maxActors) {
      this.dropped++;
      return;
    }
    const machine = r.logic && typeof r.logic === 'object' && r.logic.root && typeof r.logic.id === 'string' ? r.logic.id : null;
    const rec: ActorRecord = {
      sid: r.sessionId,
      key: r.sessionId,
      parent: parentSid,
      id: r.id,
      name: null,
      namespace: null,
      resource: null,
      machine,
      src: typeof r.src === 'string' ? r.src : null,
      value: undefined,
      valueText: '',
      status: 'active',
      since: Date.now(),
      children: new Set(),
      handlers: new Map(),
      events: 0,
      knownRv: null,
    };
    this.#actors.set(rec.sid, rec);
    if (parentSid !== null) {
      const parent = this.#actors.get(parentSid)!;
      parent.children.add(rec.sid);
      if (machine) this.#line(parent, 'child', `child ${rec.id} (${machine}) started`);
      this.#dirty.add(this.#root(parent).key);
    } else {
      this.#byKey.set(rec.key, rec.sid);
    }
  }

  #snapshot(ref: { sessionId: string }, snapshot: unknown, event: { type: string } | undefined): void {
    const rec = this.#actors.get(ref.sessionId);
    if (!rec) return;
    const snap = snapshot as { value?: unknown; status?: string; context?: Record<string, unknown> };
    const context = snap.context;
    if (rec.parent === null && rec.key === rec.sid && context && typeof context.key === 'string') {
      this.#byKey.delete(rec.key);
      const ring = this.#timelines.get(rec.key);
      if (ring) {
        this.#timelines.delete(rec.key);
        if (!this.#timelines.has(context.key)) this.#timelines.set(context.key, ring);
      }
      rec.key = context.key;
      // A passivated object restored: the new actor takes its place in the list and keeps its timeline.
      if (this.#passivated.delete(rec.key)) this.#line(rec, 'state', 'restored from passivation');
      rec.resource = context.key.includes('/') ? context.key.slice(0, context.key.lastIndexOf('/')) : null;
      this.#byKey.set(rec.key, rec.sid);
    }
    const before = rec.valueText;
    const previousRv = rec.knownRv;
    const knownRv = typeof context?.knownRv === 'string' ? context.knownRv : null;
    rec.knownRv = knownRv;
    if (snap.value !== undefined) {
      rec.value = snap.value;
      rec.valueText = valueText(snap.value);
    }
    const changed = rec.valueText !== before;
    if (changed) rec.since = Date.now();

    if (event?.type === 'watch.event' && rec.parent === null) {
      rec.events++;
      const watch = (event as unknown as { event?: WatchEventLike }).event;
      const meta = watch?.object?.metadata;
      const named = rec.name === null && !!meta?.name;
      if (meta?.name && rec.name === null) rec.name = meta.name;
      if (meta?.namespace && rec.namespace === null) rec.namespace = meta.namespace;
      if (named) this.#takeAdmissions(rec);
      const what = `${watch?.type ?? 'LISTED'} rv=${meta?.resourceVersion ?? '?'}`;
      const pending = (context?.pending as WatchEventLike | null | undefined) ?? null;
      const rvMoved = knownRv !== previousRv;
      if (changed) this.#line(rec, 'watch', `${what}: ${before || '(start)'} → ${rec.valueText}`);
      else if (pending && (pending.object?.metadata?.resourceVersion === meta?.resourceVersion || (watch?.type === 'DELETED' && pending.type === 'DELETED'))) {
        this.#line(rec, 'coalesced', `${what} coalesced while ${rec.valueText}`);
      } else if (context && 'knownRv' in context && !rvMoved && watch?.type !== 'DELETED') this.#line(rec, 'stale', `${what} dropped: not newer than what we know (our own patch's echo)`);
      else this.#line(rec, 'watch', `${what}: nothing to do while ${rec.valueText}`);
    } else if (changed && rec.parent === null) {
      if (rec.valueText === 'retrying' && typeof context?.delay === 'number') this.#line(rec, 'retry', `${before} → retrying: retry in ${Math.round(context.delay * 10) / 10} s`);
      else if (rec.valueText === 'throttled' && typeof context?.errors === 'number') {
        const delays = (context.errorDelays as number[] | undefined) ?? [];
        const delay = delays[Math.min(context.errors - 1, delays.length - 1)];
        this.#line(rec, 'throttled', `${before} → throttled after error #${context.errors}${delay !== undefined ? `; retry in ${delay} s` : ''}`);
      } else this.#line(rec, 'state', `${before || '(start)'} → ${rec.valueText}`);
    } else if (changed && rec.machine) {
      this.#line(rec, 'state', `${rec.id}: ${before || '(start)'} → ${rec.valueText}`, `child:${rec.sid}`);
    }
    if (snap.status && snap.status !== 'active') this.#end(rec, snap.status);
    else this.#dirty.add(this.#root(rec).key);
  }

  #end(rec: ActorRecord, status: string): void {
    rec.status = status;
    for (const sid of [...rec.children]) {
      const child = this.#actors.get(sid);
      if (child) this.#end(child, 'stopped');
    }
    this.#actors.delete(rec.sid);
    if (rec.parent !== null) {
      const parent = this.#actors.get(rec.parent);
      if (parent) {
        parent.children.delete(rec.sid);
        if (rec.machine) this.#line(parent, 'child', `child ${rec.id} ended (${status})`);
        this.#dirty.add(this.#root(parent).key);
      }
      return;
    }
    this.#byKey.delete(rec.key);
    if (rec.valueText === 'passivated' && rec.machine && this.#passivated.size < this.maxActors) {
      this.#passivated.set(rec.key, { ...this.#summary(rec), state: 'idle', since: Date.now(), children: 0, passivated: true });
      this.#dirty.add(rec.key);
      return;
    }
    this.#timelines.delete(rec.key);
    this.#removed.add(rec.key);
    // Nobody drains (a collector without a server): the change sets must not grow with the churn.
    if (this.#removed.size > this.maxActors) this.#removed.clear();
    if (this.#dirty.size > this.maxActors) this.#dirty.clear();
  }
}
