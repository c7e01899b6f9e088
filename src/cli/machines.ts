/**
 * `kopf-ts machines [--format mermaid|dot|json|svg] [--out DIR]`: renders every statechart machines/index.ts
 * exports (object, daemon, timer, and any machine added there) from their XState definitions, so the diagrams
 * in docs/machines.md and docs/machines/*.svg are generated from the code (test/cli/machines.test.ts compares
 * them). Called by src/cli/main.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { MACHINES } from '../devtools/catalog.ts';
import { graphOf, type GraphState } from '../devtools/graph.ts';
import { toSvg } from '../devtools/svg.ts';

export { MACHINES };

/** A state's name in mermaid and dot: its key at the top level, its path joined by `_` below. */
const nodeName = (id: string): string => id.replace(/\./g, '_');

/** The statechart as a mermaid `stateDiagram-v2` (compound states as `state X { … }` blocks). */
export function toMermaid(machine: AnyStateMachine): string {
  const { states, edges, initial } = graphOf(machine);
  const lines = ['stateDiagram-v2', `  [*] --> ${nodeName(initial ?? states[0]!.id)}`];
  const block = (parent: GraphState, indent: string): void => {
    lines.push(`${indent}state ${nodeName(parent.id)} {`);
    if (parent.initial) lines.push(`${indent}  [*] --> ${nodeName(parent.initial)}`);
    for (const child of states.filter((s) => s.parent === parent.id)) {
      if (child.type === 'compound' || child.type === 'parallel') block(child, indent + '  ');
      else lines.push(`${indent}  ${nodeName(child.id)}`);
    }
    lines.push(`${indent}}`);
  };
  for (const s of states) if (s.parent === null && (s.type === 'compound' || s.type === 'parallel')) block(s, '  ');
  for (const e of edges) lines.push(`  ${nodeName(e.from)} --> ${nodeName(e.to)}: ${e.label}`);
  for (const s of states) if (s.type === 'final') lines.push(`  ${nodeName(s.id)} --> [*]`);
  return lines.join('\n') + '\n';
}

/** The statechart as Graphviz DOT (compound states as clusters). */
export function toDot(machine: AnyStateMachine): string {
  const { states, edges } = graphOf(machine);
  const lines = [`digraph ${machine.id} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  const emit = (parent: string | null, indent: string): void => {
    for (const s of states.filter((x) => x.parent === parent)) {
      if (s.type === 'compound' || s.type === 'parallel') {
        lines.push(`${indent}subgraph cluster_${nodeName(s.id)} {`, `${indent}  label=${JSON.stringify(s.key)};`);
        emit(s.id, indent + '  ');
        lines.push(`${indent}}`);
      } else lines.push(`${indent}${nodeName(s.id)}${s.type === 'final' ? ' [peripheries=2]' : ''};`);
    }
  };
  emit(null, '  ');
  for (const e of edges) lines.push(`  ${nodeName(e.from)} -> ${nodeName(e.to)} [label=${JSON.stringify(e.label)}];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The statechart as JSON: states (with their parents when nested) and labelled transitions. */
export function toJson(machine: AnyStateMachine): string {
  const { states, edges, initial } = graphOf(machine);
  const nested = states.some((s) => s.parent !== null);
  return (
    JSON.stringify(
      {
        id: machine.id,
        initial,
        states: states.map((s) => ({ name: s.id, final: s.type === 'final', ...(nested ? { parent: s.parent, type: s.type } : {}) })),
        transitions: edges.map(({ from, to, label }) => ({ from, to, label })),
      },
      null,
      2,
    ) + '\n'
  );
}

const FORMATS = ['mermaid', 'dot', 'json', 'svg'] as const;
const EXTENSIONS: Record<(typeof FORMATS)[number], string> = { mermaid: 'mmd', dot: 'dot', json: 'json', svg: 'svg' };

/** One machine in one format. */
export async function render(machine: AnyStateMachine, format: string): Promise<string> {
  switch (format) {
    case 'mermaid':
      return toMermaid(machine);
    case 'dot':
      return toDot(machine);
    case 'json':
      return toJson(machine);
    case 'svg':
      return await toSvg(machine);
    default:
      throw new Error(`Unknown format ${format}: use ${FORMATS.join(', ')}.`);
  }
}

/**
 * Regenerates the diagrams of `<docs>/machines.md` (`npm run docs:machines`): `<docs>/machines/<id>.svg` for
 * every machine, and each `<!-- generated: id -->` mermaid block; a machine new to the page gets a section
 * (its SVG and its block) at the end. Returns the files written.
 */
export async function updateMachineDocs(docs: string): Promise<string[]> {
  const written: string[] = [];
  mkdirSync(join(docs, 'machines'), { recursive: true });
  const page = join(docs, 'machines.md');
  let text = readFileSync(page, 'utf8');
  for (const [id, machine] of Object.entries(MACHINES)) {
    const svgPath = join(docs, 'machines', `${id}.svg`);
    writeFileSync(svgPath, await toSvg(machine));
    written.push(svgPath);
    const block = `<!-- generated: ${id} -->\n\`\`\`mermaid\n${toMermaid(machine)}\`\`\``;
    const existing = new RegExp(`<!-- generated: ${id} -->\\n\`\`\`mermaid\\n[\\s\\S]*?\`\`\``);
    if (existing.test(text)) text = text.replace(existing, () => block);
    else text = `${text.trimEnd()}\n\n## The ${id} machine\n\n![The ${id} statechart](machines/${id}.svg)\n\n${block}\n<!-- end generated -->\n`;
  }
  writeFileSync(page, text);
  written.push(page);
  return written;
}

/** `kopf-ts machines`: to stdout, or one file per machine (`<id>.<ext>`) under `--out DIR`. */
export async function machinesCommand(options: { format?: string; out?: string; updateDocs?: string }): Promise<void> {
  if (options.updateDocs) {
    for (const path of await updateMachineDocs(options.updateDocs)) process.stderr.write(`wrote ${path}\n`);
    return;
  }
  const format = options.format ?? 'mermaid';
  if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`Unknown format ${format}: use ${FORMATS.join(', ')}.`);
  if (options.out) mkdirSync(options.out, { recursive: true });
  for (const [name, machine] of Object.entries(MACHINES)) {
    const text = await render(machine, format);
    if (options.out) {
      const path = join(options.out, `${name}.${EXTENSIONS[format as (typeof FORMATS)[number]]}`);
      writeFileSync(path, text);
      process.stderr.write(`wrote ${path}\n`);
      continue;
    }
    if (format === 'mermaid') process.stdout.write(`%% machine: ${name}\n`);
    else if (format === 'dot') process.stdout.write(`// machine: ${name}\n`);
    process.stdout.write(text);
  }
}
