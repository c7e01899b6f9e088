/**
 * A statechart as SVG, laid out offline with elkjs (layered, left to right; compound states drawn as boxes
 * around their children). Each state's group carries `data-state="<dotted path>"` and each transition's
 * `data-from`/`data-to`, so the devtools page highlights the current state with a CSS class. Called by
 * `kopf-ts machines --format svg` (src/cli/machines.ts) and by the devtools server (src/devtools/server.ts).
 */
import elkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { AnyStateMachine } from 'xstate';
import { graphOf, type GraphEdge, type MachineGraph } from './graph.ts';

const FONT = 12;
const CHAR = 7.0; // an estimate of one character's width at FONT px (no DOM here to measure text)
const LINE = 15;
const INITIAL = '__initial';
// elkjs is CommonJS: its module object is the constructor (typed as a namespace with a default).
const ELK = ((elkModule as unknown as { default?: unknown }).default ?? elkModule) as new () => ElkApi;
const ANY = '__any';
const ANY_TEXT = 'any state';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number): string => (Math.round(v * 10) / 10).toString();
const width = (text: string): number => Math.ceil(text.length * CHAR);

/** Transitions between the same two states drawn as one arrow whose label lists them, one per line. */
function mergeEdges(edges: GraphEdge[]): { from: string; to: string; labels: string[]; global: boolean }[] {
  const merged = new Map<string, { from: string; to: string; labels: string[]; global: boolean }>();
  for (const raw of edges) {
    // A root transition applies in every top-level state: one arrow from "any state" says it once.
    const e = raw.global ? { ...raw, from: ANY } : raw;
    const key = `${e.from}\u0000${e.to}`;
    const m = merged.get(key);
    if (m) {
      if (!m.labels.includes(e.label)) m.labels.push(e.label);
      m.global &&= Boolean(e.global);
    } else merged.set(key, { from: e.from, to: e.to, labels: [e.label], global: Boolean(e.global) });
  }
  return [...merged.values()];
}

function elkGraph(graph: MachineGraph): ElkNode {
  const nodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.edgeEdge': '8',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      // Layers follow the states' declaration order (the lifecycle reads left to right); the transitions
      // back (retries, returns to idle) are routed as feedback edges.
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.feedbackEdges': 'true',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: [{ id: INITIAL, width: 10, height: 10 }],
    edges: [],
  };
  if (graph.edges.some((e) => e.global)) root.children!.push({ id: ANY, width: width(ANY_TEXT) + 24, height: 30 });
  for (const s of graph.states) {
    const compound = s.type === 'compound' || s.type === 'parallel';
    const node: ElkNode = compound
      ? { id: s.id, children: [], layoutOptions: { 'elk.padding': '[top=28,left=12,bottom=12,right=12]' }, labels: [{ text: s.key, width: width(s.key), height: LINE }] }
      : { id: s.id, width: Math.max(70, width(s.key) + 24), height: 30 };
    nodes.set(s.id, node);
    const parent = s.parent ? nodes.get(s.parent) : root;
    (parent ?? root).children!.push(node);
  }
  const edges: ElkExtendedEdge[] = root.edges!;
  if (graph.initial) edges.push({ id: 'e-initial', sources: [INITIAL], targets: [graph.initial] });
  mergeEdges(graph.edges).forEach((e, i) => {
    const lines = e.labels;
    edges.push({
      id: `e${i}`,
      sources: [e.from],
      targets: [e.to],
      labels: [{ id: `e${i}-label`, text: lines.join('\n'), width: Math.max(...lines.map(width)), height: lines.length * LINE }],
    });
  });
  return root;
}

const STYLE = `
  .statechart { font-family: ui-sans-serif, system-ui, sans-serif; font-size: ${FONT}px; }
  .statechart .state rect { fill: #f6f8fa; stroke: #57606a; stroke-width: 1.2; }
  .statechart .state.compound > rect { fill: none; stroke-dasharray: 4 3; }
  .statechart .state.final rect.outer { fill: none; }
  .statechart .state text { fill: #1f2328; text-anchor: middle; dominant-baseline: central; }
  .statechart .state.active > rect { fill: #ffd33d; stroke: #9a6700; stroke-width: 2.4; }
  .statechart .state.compound.active > rect, .statechart .state.parallel.active > rect { fill: #fff8c5; stroke: #9a6700; stroke-width: 1.6; }
  .statechart .edge path { fill: none; stroke: #8c959f; stroke-width: 1; }
  .statechart .edge.global path { stroke-dasharray: 2 3; opacity: 0.6; }
  .statechart .edge text { fill: #57606a; font-size: ${FONT - 1}px; }
  .statechart .edge.global text { opacity: 0.6; }
  .statechart .initial { fill: #1f2328; }
  .statechart .any rect { fill: none; stroke: #8c959f; stroke-dasharray: 2 3; }
  .statechart .any text { fill: #57606a; font-style: italic; text-anchor: middle; dominant-baseline: central; }
`;

/** Lays the machine out and returns a standalone SVG document (deterministic: the same machine, the same bytes). */
export async function toSvg(machine: AnyStateMachine): Promise<string> {
  const graph = graphOf(machine);
  const elk = new ELK();
  const laid = await elk.layout(elkGraph(graph));
  const types = new Map(graph.states.map((s) => [s.id, s]));
  const marker = `arrow-${machine.id}`;
  const out: string[] = [];
  const W = laid.width ?? 0;
  const H = laid.height ?? 0;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="statechart" data-machine="${escape(machine.id)}" viewBox="0 0 ${n(W)} ${n(H)}" width="${n(W)}" height="${n(H)}">`);
  out.push(`<style>${STYLE}</style>`);
  out.push(`<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker></defs>`);

  const drawNode = (node: ElkNode): void => {
    if (node.id === INITIAL) {
      out.push(`<circle class="initial" cx="${n((node.x ?? 0) + 5)}" cy="${n((node.y ?? 0) + 5)}" r="5"/>`);
      return;
    }
    if (node.id === ANY) {
      out.push(`<g class="any"><rect x="${n(node.x ?? 0)}" y="${n(node.y ?? 0)}" width="${n(node.width ?? 0)}" height="${n(node.height ?? 0)}" rx="8"/>`);
      out.push(`<text x="${n((node.x ?? 0) + (node.width ?? 0) / 2)}" y="${n((node.y ?? 0) + (node.height ?? 0) / 2)}">${ANY_TEXT}</text></g>`);
      return;
    }
    const s = types.get(node.id);
    if (!s) return;
    const x = node.x ?? 0;
    const y = node.y ?? 0;
    const w = node.width ?? 0;
    const h = node.height ?? 0;
    const classes = ['state', s.type].join(' ');
    out.push(`<g class="${classes}" data-state="${escape(s.id)}">`);
    out.push(`<rect class="outer" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="8"/>`);
    if (s.type === 'final') out.push(`<rect x="${n(x + 3)}" y="${n(y + 3)}" width="${n(w - 6)}" height="${n(h - 6)}" rx="6"/>`);
    if (s.type === 'compound' || s.type === 'parallel') out.push(`<text x="${n(x + 12 + width(s.key) / 2)}" y="${n(y + 14)}">${escape(s.key)}</text>`);
    else out.push(`<text x="${n(x + w / 2)}" y="${n(y + h / 2)}">${escape(s.key)}</text>`);
    out.push(`</g>`);
    for (const child of node.children ?? []) drawNode(child);
  };
  for (const child of laid.children ?? []) drawNode(child);

  const edgesOf = (node: ElkNode): ElkExtendedEdge[] => [...(node.edges ?? []), ...(node.children ?? []).flatMap(edgesOf)];
  const merged = new Map(mergeEdges(graph.edges).map((e, i) => [`e${i}`, e]));
  for (const edge of edgesOf(laid)) {
    const info = merged.get(edge.id);
    const parts: string[] = [];
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      parts.push(points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' '));
    }
    const from = info ? (info.from === ANY ? '*' : info.from) : '';
    const attrs = ` data-from="${escape(from)}" data-to="${escape(info ? info.to : (graph.initial ?? ''))}"`;
    out.push(`<g class="edge${info?.global ? ' global' : ''}"${attrs}>`);
    out.push(`<path d="${parts.join(' ')}" marker-end="url(#${marker})"/>`);
    for (const label of edge.labels ?? []) {
      const lines = (label.text ?? '').split('\n');
      out.push(`<text x="${n(label.x ?? 0)}" y="${n((label.y ?? 0) + FONT)}">${lines.map((l, i) => `<tspan x="${n(label.x ?? 0)}" dy="${i === 0 ? 0 : LINE}">${escape(l)}</tspan>`).join('')}</text>`);
    }
    out.push(`</g>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
