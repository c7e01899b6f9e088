// `kopf-ts machines` renders the statecharts from the code; docs/machines.md must show the current one.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { toDot, toJson, toMermaid, MACHINES } from '../../src/cli/machines.ts';

test('docs/machines.md holds the current statecharts: object, daemon, timer', (t) => {
  const doc = readFileSync(new URL('../../docs/machines.md', import.meta.url), 'utf8');
  t.deepEqual(Object.keys(MACHINES), ['object', 'daemon', 'timer']);
  for (const [name, machine] of Object.entries(MACHINES)) {
    const block = new RegExp(`<!-- generated: ${name} -->\n\`\`\`mermaid\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
    t.is(block, toMermaid(machine), `regenerate the ${name} block of docs/machines.md with \`npx kopf-ts machines\``);
  }
});

test('every lifecycle state is drawn, with its transitions', (t) => {
  const json = JSON.parse(toJson(MACHINES.object!)) as { states: { name: string; final: boolean }[]; transitions: { from: string; to: string; label: string }[] };
  t.deepEqual(json.states.map((s) => s.name).sort(), ['awaitingBackground', 'creating', 'deleting', 'gone', 'idle', 'observing', 'releasing', 'resuming', 'retrying', 'stopped', 'throttled', 'updating'].sort());
  t.deepEqual(json.states.filter((s) => s.final).map((s) => s.name).sort(), ['gone', 'stopped']);
  const has = (from: string, to: string, label: RegExp): boolean => json.transitions.some((e) => e.from === from && e.to === to && label.test(e.label));
  t.true(has('observing', 'creating', /isNew/));
  t.true(has('deleting', 'releasing', /done/));
  t.true(has('retrying', 'observing', /after retryDelay/));
  t.true(has('creating', 'throttled', /error/));
  t.regex(toDot(MACHINES.object!), /observing -> deleting \[label="always \[isDeleting\]"\];/);
  t.true(has('deleting', 'awaitingBackground', /done \[hasBackground\]/));
  t.true(has('awaitingBackground', 'releasing', /lastBackground/));
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
