/**
 * Reads any XState machine definition (flat or nested) into a plain graph: states with their dotted paths and
 * labelled transitions. The one place that interprets a machine's structure for drawing; used by
 * src/cli/machines.ts (mermaid, dot, json), src/devtools/svg.ts (SVG) and the devtools page's diagrams.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** One state: `id` is its path below the root joined by dots (`idle`, `running.waiting`). */
export interface GraphState {
  id: string;
  key: string;
  parent: string | null;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The initial child of a compound state (its id), if any. */
  initial: string | null;
}

/** One transition. `global` when declared on the root (drawn from every top-level state). */
export interface GraphEdge {
  from: string;
  to: string;
  label: string;
  global?: boolean;
}

/** A machine as a graph. */
export interface MachineGraph {
  id: string;
  initial: string | null;
  states: GraphState[];
  edges: GraphEdge[];
}

const pathOf = (node: AnyStateNode): string => node.path.join('.');

/** A transition's readable label: the event (`after X`, `done`, `error`, `always`) and its guard. */
export function edgeLabel(eventType: string, guard: unknown): string {
  const event = eventType.startsWith('xstate.after.')
    ? `after ${eventType.split('.')[2]}`
    : eventType.startsWith('xstate.done.')
      ? 'done'
      : eventType.startsWith('xstate.error.actor.')
        ? 'error'
        : eventType === ''
          ? 'always'
          : eventType;
  const gname = guardName(guard);
  return gname ? `${event} [${gname}]` : event;
}

/** A guard's readable name: `name`, `a & b` for and(), `a | b` for or(), `!a` for not(). */
export function guardName(guard: unknown): string {
  if (!guard) return '';
  if (typeof guard === 'string') return guard;
  const g = guard as { type?: string; guards?: unknown[]; check?: { name?: string } };
  if (g.guards) {
    const parts = g.guards.map(guardName);
    const kind = g.check?.name ?? '';
    if (kind.includes('Not')) return `!${parts.join('')}`;
    return parts.join(kind.includes('Or') ? ' | ' : ' & ');
  }
  return g.type && !g.type.startsWith('xstate.') ? g.type : 'guarded';
}

type Transitions = readonly { target?: readonly AnyStateNode[] | undefined; guard?: unknown }[];

/** The graph of a machine: every state (depth first, in declaration order) and every transition. */
export function graphOf(machine: AnyStateMachine): MachineGraph {
  const states: GraphState[] = [];
  const edges: GraphEdge[] = [];
  const children = (node: AnyStateNode): AnyStateNode[] => Object.values(node.states) as AnyStateNode[];
  const add = (from: string, eventType: string, transitions: Transitions): void => {
    for (const t of transitions) for (const target of t.target ?? []) edges.push({ from, to: pathOf(target), label: edgeLabel(eventType, t.guard) });
  };
  const top = children(machine.root);
  // Transitions declared on the root apply in every top-level state: drawn from each non-final one.
  for (const [eventType, transitions] of machine.root.transitions) {
    for (const s of top) {
      if (s.type === 'final') continue;
      for (const t of transitions as Transitions) {
        for (const target of t.target ?? []) if (pathOf(target) !== pathOf(s)) edges.push({ from: pathOf(s), to: pathOf(target), label: edgeLabel(eventType, t.guard), global: true });
      }
    }
  }
  const visit = (node: AnyStateNode): void => {
    const id = pathOf(node);
    states.push({
      id,
      key: node.key,
      parent: node.path.length > 1 ? node.path.slice(0, -1).join('.') : null,
      type: node.type,
      initial: node.initial?.target[0] ? pathOf(node.initial.target[0]) : null,
    });
    for (const [eventType, transitions] of node.transitions) add(id, eventType, transitions as Transitions);
    add(id, '', (node.always ?? []) as Transitions);
    for (const child of children(node)) visit(child);
  };
  for (const s of top) visit(s);
  const initial = machine.root.initial?.target[0];
  return { id: machine.id, initial: initial ? pathOf(initial) : null, states, edges };
}

/** Whether a value is an XState machine definition (what machines/index.ts exports among other things). */
export function isMachine(value: unknown): value is AnyStateMachine {
  const v = value as { root?: unknown; provide?: unknown; config?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.provide === 'function' && typeof v.root === 'object' && v.root !== null && typeof v.config === 'object';
}

/** The machines of a module namespace (e.g. `import * as m from 'machines/index.ts'`), by machine id. */
export function machinesOf(namespace: Record<string, unknown>): Record<string, AnyStateMachine> {
  const found: Record<string, AnyStateMachine> = {};
  for (const value of Object.values(namespace)) if (isMachine(value)) found[value.id] = value;
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => (a === 'object' ? -1 : b === 'object' ? 1 : a.localeCompare(b))));
}
