/**
 * Resource selectors in all of Kopf's forms, and their resolution against the discovered resources.
 * Parsed at registration (src/on.ts); resolved by the engine after discovery. No I/O.
 */
import type { Resource } from '../model/resource.ts';

/** `kopf.EVERYTHING`: every served resource except events. */
export const EVERYTHING = Symbol.for('kopf-ts.EVERYTHING');

/** What a user may pass as a selector. */
export type SelectorInput =
  | string
  | typeof EVERYTHING
  | ((resource: Resource) => boolean)
  | { group?: string; version?: string; plural?: string; kind?: string; singular?: string; shortcut?: string; category?: string; any_name?: string };

/** A parsed selector. */
export interface Selector {
  group: string | null;
  version: string | null;
  /** Matches kind, plural, singular or a short name. */
  anyName: string | null;
  kind: string | null;
  plural: string | null;
  singular: string | null;
  shortcut: string | null;
  category: string | null;
  everything: boolean;
  predicate: ((resource: Resource) => boolean) | null;
  /** How the user wrote it (for messages). */
  text: string;
}

const VERSION_RE = /^v\d+(?:(?:alpha|beta)\d+)?$/;

/** Parses a selector; throws a TypeError for an empty one or one with no or several name criteria. */
export function parseSelector(input: SelectorInput): Selector {
  const s: Selector = { group: null, version: null, anyName: null, kind: null, plural: null, singular: null, shortcut: null, category: null, everything: false, predicate: null, text: '' };
  if (input === EVERYTHING) return { ...s, everything: true, text: 'EVERYTHING' };
  if (typeof input === 'function') return { ...s, predicate: input, text: input.name || '<predicate>' };
  if (typeof input === 'string') {
    if (!input) throw new TypeError('A resource selector cannot be an empty string.');
    s.text = input;
    if (input.includes('/')) {
      throw new TypeError(`Selector ${JSON.stringify(input)}: write 'plural.version.group' or an object { group, version, plural }.`);
    }
    const parts = input.split('.');
    if (parts.length >= 2 && VERSION_RE.test(parts[1]!)) {
      s.anyName = parts[0]!;
      s.version = parts[1]!;
      s.group = parts.length > 2 ? parts.slice(2).join('.') : null;
    } else if (parts.length >= 2) {
      s.anyName = parts[0]!;
      s.group = parts.slice(1).join('.');
    } else {
      s.anyName = input;
    }
    return s;
  }
  const { group, version, plural, kind, singular, shortcut, category, any_name } = input;
  const names = [plural, kind, singular, shortcut, category, any_name].filter((n) => n !== undefined);
  s.text = JSON.stringify(input);
  if (names.length !== 1) {
    throw new TypeError(`Selector ${s.text} needs exactly one of plural, kind, singular, shortcut, category (got ${names.length}).`);
  }
  if (names[0] === '') throw new TypeError(`Selector ${s.text}: the name cannot be empty.`);
  return { ...s, group: group ?? null, version: version ?? null, plural: plural ?? null, kind: kind ?? null, singular: singular ?? null, shortcut: shortcut ?? null, category: category ?? null, anyName: any_name ?? null };
}

function isEvents(r: Resource): boolean {
  return (r.group === '' && r.plural === 'events') || (r.group === 'events.k8s.io' && r.plural === 'events');
}

/** Whether one resource matches (before the specific-selector rules). */
export function matchesResource(s: Selector, r: Resource): boolean {
  if (s.group !== null && s.group !== r.group) return false;
  if (s.version !== null && s.version !== r.version) return false;
  if (s.predicate) return !isEvents(r) && s.predicate(r);
  if (s.version === null && !r.preferred) return false;
  if (s.everything) return !isEvents(r);
  if (s.category !== null) return r.categories.includes(s.category);
  if (s.kind !== null) return r.kind === s.kind;
  if (s.plural !== null) return r.plural === s.plural;
  if (s.singular !== null) return r.singular === s.singular;
  if (s.shortcut !== null) return r.shortcuts.includes(s.shortcut);
  const n = s.anyName;
  return n !== null && (r.kind === n || r.plural === n || r.singular === n || r.shortcuts.includes(n));
}

/** The outcome of resolving a selector. */
export interface Resolution {
  resources: Resource[];
  /** Two or more matches for a specific selector: none is served. */
  ambiguous: Resource[];
  unresolved: boolean;
}

/** Resolves a selector: core-group preference and ambiguity for specific selectors; list+watch verbs required. */
export function selectResources(s: Selector, all: readonly Resource[]): Resolution {
  let found = all.filter((r) => matchesResource(s, r));
  const specific = !s.everything && s.category === null && s.predicate === null;
  if (specific && found.some((r) => r.group === '')) found = found.filter((r) => r.group === '');
  found = found.filter((r) => r.verbs.length === 0 || (r.verbs.includes('list') && r.verbs.includes('watch')));
  if (specific && found.length > 1) return { resources: [], ambiguous: found, unresolved: false };
  return { resources: found, ambiguous: [], unresolved: found.length === 0 };
}
