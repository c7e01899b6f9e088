// `kopf-ts machines` renders the statecharts from the code; docs/machines.md and docs/machines/*.svg must show
// the current ones, for every machine machines/index.ts exports.
import test from 'ava';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachine } from 'xstate';
import { toDot, toJson, toMermaid, MACHINES, render, updateMachineDocs } from '../../src/cli/machines.ts';
import { graphOf } from '../../src/devtools/graph.ts';
import { toSvg } from '../../src/devtools/svg.ts';

const docsUrl = new URL('../../docs/', import.meta.url);

test('every machine of machines/index.ts is rendered: object, daemon, lease, timer, webhook', (t) => {
  t.deepEqual(Object.keys(MACHINES), ['object', 'daemon', 'lease', 'timer', 'webhook']);
});

for (const id of Object.keys(MACHINES)) {
  test(`docs/machines.md holds the current ${id} statechart`, (t) => {
    const doc = readFileSync(new URL('machines.md', docsUrl), 'utf8');
    const block = new RegExp(`<!-- generated: ${id} -->\\n\`\`\`mermaid\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
    t.is(block, toMermaid(MACHINES[id]!), 'regenerate the mermaid blocks of docs/machines.md with `npx kopf-ts machines`');
    t.true(doc.includes(`](machines/${id}.svg)`), `docs/machines.md shows machines/${id}.svg`);
  });

  test(`docs/machines/${id}.svg is the current ${id} statechart`, async (t) => {
    const path = new URL(`machines/${id}.svg`, docsUrl);
    t.true(existsSync(path), 'regenerate with `npx kopf-ts machines --format svg --out docs/machines`');
    t.is(readFileSync(path, 'utf8'), await toSvg(MACHINES[id]!), 'regenerate with `npx kopf-ts machines --format svg --out docs/machines`');
  });
}

test('every lifecycle state is drawn, with its transitions', (t) => {
  const json = JSON.parse(toJson(MACHINES.object!)) as { states: { name: string; final: boolean }[]; transitions: { from: string; to: string; label: string }[] };
  t.deepEqual(json.states.map((s) => s.name).sort(), ['awaitingBackground', 'creating', 'deleting', 'gone', 'idle', 'observing', 'passivated', 'releasing', 'resuming', 'retrying', 'stopped', 'throttled', 'updating'].sort());
  t.deepEqual(json.states.filter((s) => s.final).map((s) => s.name).sort(), ['gone', 'passivated', 'stopped']);
  const has = (from: string, to: string, label: RegExp): boolean => json.transitions.some((e) => e.from === from && e.to === to && label.test(e.label));
  t.true(has('observing', 'creating', /isNew/));
  t.true(has('deleting', 'releasing', /done/));
  t.true(has('retrying', 'observing', /after retryDelay/));
  t.true(has('creating', 'throttled', /error/));
  t.regex(toDot(MACHINES.object!), /observing -> deleting \[label="always \[isDeleting\]"\];/);
  t.true(has('deleting', 'awaitingBackground', /done \[hasBackground\]/));
  t.true(has('awaitingBackground', 'releasing', /lastBackground/));
  t.true(has('idle', 'passivated', /after passivateDelay \[mayPassivate\]/));
});

test('the daemon and timer charts draw their stopping protocol and schedule', (t) => {
  const daemon = JSON.parse(toJson(MACHINES.daemon!)) as { transitions: { from: string; to: string; label: string }[] };
  const edge = (from: string, to: string): string[] => daemon.transitions.filter((e) => e.from === from && e.to === to).map((e) => e.label);
  t.deepEqual(edge('running', 'signalled'), ['stop']);
  t.deepEqual(edge('signalled', 'cancelling'), ['after cancellationBackoff [mayCancel]']);
  t.deepEqual(edge('cancelling', 'abandoned'), ['after cancellationTimeout']);
  const timer = JSON.parse(toJson(MACHINES.timer!)) as { transitions: { from: string; to: string; label: string }[] };
  t.true(timer.transitions.some((e) => e.from === 'idling' && e.to === 'idling' && e.label === 'object.changed'));
  t.true(timer.transitions.some((e) => e.from === 'sleeping' && e.to === 'due' && e.label === 'after sleep'));
});

test('the SVG marks every state with its id, so the devtools page can highlight it', async (t) => {
  const svg = await render(MACHINES.object!, 'svg');
  t.regex(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="statechart" data-machine="object"/);
  for (const s of graphOf(MACHINES.object!).states) t.true(svg.includes(`data-state="${s.id}"`), s.id);
  t.regex(svg, /data-from="\*" data-to="stopped"/, 'root transitions are drawn once, from "any state"');
  t.is(svg, await toSvg(MACHINES.object!), 'deterministic');
});

test('nested machines are drawn too: compound states, dotted ids, clusters and blocks', async (t) => {
  const nested = createMachine({
    id: 'nested',
    initial: 'running',
    on: { stop: '.stopped' },
    states: {
      running: { initial: 'waiting', states: { waiting: { after: { 1000: 'working' } }, working: { on: { done: 'waiting' } } } },
      stopped: { type: 'final' },
    },
  });
  const svg = await toSvg(nested);
  for (const id of ['running', 'running.waiting', 'running.working', 'stopped']) t.true(svg.includes(`data-state="${id}"`), id);
  t.regex(toMermaid(nested), /state running \{\n {4}\[\*\] --> running_waiting/);
  t.regex(toDot(nested), /subgraph cluster_running/);
  t.regex(toJson(nested), /"name": "running.working"/);
  await t.throwsAsync(render(nested, 'png'), { message: /Unknown format png/ });
});

test('npm run docs:machines changes nothing in current docs, and gives a new machine its section', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-docs-'));
  try {
    cpSync(new URL('machines.md', docsUrl), join(dir, 'machines.md'));
    cpSync(new URL('machines/', docsUrl), join(dir, 'machines'), { recursive: true });
    await updateMachineDocs(dir);
    t.is(readFileSync(join(dir, 'machines.md'), 'utf8'), readFileSync(new URL('machines.md', docsUrl), 'utf8'));
    writeFileSync(join(dir, 'machines.md'), '# Machines\n');
    await updateMachineDocs(dir);
    const doc = readFileSync(join(dir, 'machines.md'), 'utf8');
    for (const id of Object.keys(MACHINES)) {
      t.true(doc.includes(`![The ${id} statechart](machines/${id}.svg)`), id);
      t.true(doc.includes(`<!-- generated: ${id} -->\n\`\`\`mermaid\n${toMermaid(MACHINES[id]!)}\`\`\``), id);
      t.true(existsSync(join(dir, 'machines', `${id}.svg`)), id);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
