// `kopf-ts machines` renders the statecharts from the code; docs/machines.md must show the current one.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { toDot, toJson, toMermaid, MACHINES } from '../../src/cli/machines.ts';

test('docs/machines.md holds the current object statechart', (t) => {
  const doc = readFileSync(new URL('../../docs/machines.md', import.meta.url), 'utf8');
  const block = /<!-- generated: object -->\n```mermaid\n([\s\S]*?)```/.exec(doc)?.[1];
  t.is(block, toMermaid(MACHINES.object!), 'regenerate docs/machines.md with `npx kopf-ts machines`');
});

test('every lifecycle state is drawn, with its transitions', (t) => {
  const json = JSON.parse(toJson(MACHINES.object!)) as { states: { name: string; final: boolean }[]; transitions: { from: string; to: string; label: string }[] };
  t.deepEqual(json.states.map((s) => s.name).sort(), ['creating', 'deleting', 'gone', 'idle', 'observing', 'releasing', 'resuming', 'retrying', 'stopped', 'throttled', 'updating'].sort());
  t.deepEqual(json.states.filter((s) => s.final).map((s) => s.name).sort(), ['gone', 'stopped']);
  const has = (from: string, to: string, label: RegExp): boolean => json.transitions.some((e) => e.from === from && e.to === to && label.test(e.label));
  t.true(has('observing', 'creating', /isNew/));
  t.true(has('deleting', 'releasing', /done/));
  t.true(has('retrying', 'observing', /after retryDelay/));
  t.true(has('creating', 'throttled', /error/));
  t.regex(toDot(MACHINES.object!), /observing -> deleting \[label="always \[isDeleting\]"\];/);
});
