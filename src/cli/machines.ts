/**
 * `kopf-ts machines [--format mermaid|dot|json]`: prints the statecharts of machines/ (object, daemon, timer)
 * from their XState definitions, so the diagrams in docs/machines.md are generated from the code (a test
 * compares them). Called by src/cli/main.ts and test/cli/machines.test.ts.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { daemonMachine, objectMachine, timerMachine } from '../../machines/index.ts';

/** The machines that are rendered, by name. */
export const MACHINES: Record<string, AnyStateMachine> = { object: objectMachine, daemon: daemonMachine, timer: timerMachine };

interface Edge {
  from: string;
  to: string;
  label: string;
}

function label(eventType: string, guard: unknown): string {
  const event = eventType.startsWith('xstate.after.')
    ? `after ${eventType.split('.')[2]}`
    : eventType.startsWith('xstate.done.actor.')
      ? 'done'
      : eventType.startsWith('xstate.error.actor.')
        ? 'error'
        : eventType === ''
          ? 'always'
          : eventType;
  const gname = guardName(guard);
  return gname ? `${event} [${gname}]` : event;
}

/** A guard's readable name: `name`, `a & b` for and(), `!a` for not(). */
function guardName(guard: unknown): string {
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

function edgesOf(machine: AnyStateMachine): { states: AnyStateNode[]; edges: Edge[] } {
  const states = Object.values(machine.root.states) as AnyStateNode[];
  const edges: Edge[] = [];
  const add = (from: AnyStateNode, eventType: string, transitions: readonly { target?: readonly AnyStateNode[] | undefined; guard?: unknown }[]): void => {
    for (const t of transitions) {
      for (const target of t.target ?? []) edges.push({ from: from.key, to: target.key, label: label(eventType, t.guard) });
    }
  };
  for (const [eventType, transitions] of machine.root.transitions) {
    if (eventType === 'operator.stop') {
      for (const s of states) if (s.type !== 'final') for (const t of transitions) for (const target of t.target ?? []) if (target.key !== s.key) edges.push({ from: s.key, to: target.key, label: 'operator.stop' });
    }
  }
  for (const state of states) {
    for (const [eventType, transitions] of state.transitions) add(state, eventType, transitions);
    add(state, '', state.always ?? []);
  }
  return { states, edges };
}

/** The statechart as a mermaid `stateDiagram-v2`. */
export function toMermaid(machine: AnyStateMachine): string {
  const { states, edges } = edgesOf(machine);
  const lines = ['stateDiagram-v2', `  [*] --> ${machine.root.initial?.target[0]?.key ?? states[0]!.key}`];
  for (const e of edges) lines.push(`  ${e.from} --> ${e.to}: ${e.label}`);
  for (const s of states) if (s.type === 'final') lines.push(`  ${s.key} --> [*]`);
  return lines.join('\n') + '\n';
}

/** The statechart as Graphviz DOT. */
export function toDot(machine: AnyStateMachine): string {
  const { states, edges } = edgesOf(machine);
  const lines = [`digraph ${machine.id} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const s of states) lines.push(`  ${s.key}${s.type === 'final' ? ' [peripheries=2]' : ''};`);
  for (const e of edges) lines.push(`  ${e.from} -> ${e.to} [label=${JSON.stringify(e.label)}];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The statechart as JSON: states and labelled transitions. */
export function toJson(machine: AnyStateMachine): string {
  const { states, edges } = edgesOf(machine);
  return JSON.stringify({ id: machine.id, initial: machine.root.initial?.target[0]?.key, states: states.map((s) => ({ name: s.key, final: s.type === 'final' })), transitions: edges }, null, 2) + '\n';
}

/** `kopf-ts machines`. */
export function machinesCommand(options: { format?: string }): void {
  const format = options.format ?? 'mermaid';
  const render = { mermaid: toMermaid, dot: toDot, json: toJson }[format];
  if (!render) throw new Error(`Unknown format ${format}: use mermaid, dot or json.`);
  for (const [name, machine] of Object.entries(MACHINES)) {
    if (format !== 'json') process.stdout.write(format === 'mermaid' ? `%% machine: ${name}\n` : `// machine: ${name}\n`);
    process.stdout.write(render(machine));
  }
}
