// Unit tests of src/handlers/selector.ts: every Kopf selector form, resolved against a hand-made discovery.
import test from 'ava';
import { parseSelector, selectResources, EVERYTHING } from '../../src/handlers/selector.ts';
import type { Resource } from '../../src/model/resource.ts';

const r = (group: string, version: string, plural: string, kind: string, extra: Partial<Resource> = {}): Resource => ({
  group, version, plural, kind, singular: kind.toLowerCase(), shortcuts: [], categories: [], subresources: [], namespaced: true, preferred: true, verbs: ['list', 'watch', 'patch'], ...extra,
});
const all: Resource[] = [
  r('kopf.dev', 'v1', 'kopfexamples', 'KopfExample', { shortcuts: ['kex'], categories: ['kopf'] }),
  r('kopf.dev', 'v1beta1', 'kopfexamples', 'KopfExample', { preferred: false }),
  r('', 'v1', 'pods', 'Pod', { shortcuts: ['po'], categories: ['all'] }),
  r('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics'),
  r('', 'v1', 'events', 'Event'),
  r('events.k8s.io', 'v1', 'events', 'Event'),
  r('a.example', 'v1', 'widgets', 'Widget'),
  r('b.example', 'v1', 'widgets', 'Widget'),
  r('x.example', 'v1', 'readonlies', 'ReadOnly', { verbs: ['get'] }),
];
const names = (s: Parameters<typeof parseSelector>[0]): string[] => selectResources(parseSelector(s), all).resources.map((x) => `${x.plural}.${x.version}.${x.group}`);

test('plain names match plural, kind, singular or short name; preferred versions only', (t) => {
  t.deepEqual(names('kopfexamples'), ['kopfexamples.v1.kopf.dev']);
  t.deepEqual(names('KopfExample'), ['kopfexamples.v1.kopf.dev']);
  t.deepEqual(names('kopfexample'), ['kopfexamples.v1.kopf.dev']);
  t.deepEqual(names('kex'), ['kopfexamples.v1.kopf.dev']);
});

test('dotted forms: name.group, name.version.group, name.version', (t) => {
  t.deepEqual(names('kopfexamples.kopf.dev'), ['kopfexamples.v1.kopf.dev']);
  t.deepEqual(names('kopfexamples.v1beta1.kopf.dev'), ['kopfexamples.v1beta1.kopf.dev'], 'a version given: non-preferred too');
  t.deepEqual(names('pods.v1'), ['pods.v1.'], 'pods.v1: any group, core preferred');
});

test('object forms and keyword criteria', (t) => {
  t.deepEqual(names({ group: 'kopf.dev', version: 'v1', plural: 'kopfexamples' }), ['kopfexamples.v1.kopf.dev']);
  t.deepEqual(names({ kind: 'Pod' }), ['pods.v1.']);
  t.deepEqual(names({ shortcut: 'po' }), ['pods.v1.']);
  t.deepEqual(names({ singular: 'kopfexample' }), ['kopfexamples.v1.kopf.dev']);
  t.deepEqual(names({ category: 'kopf' }), ['kopfexamples.v1.kopf.dev']);
});

test('core resources win over same-named ones; ambiguity is reported; events never match EVERYTHING', (t) => {
  t.deepEqual(names('pods'), ['pods.v1.']);
  const amb = selectResources(parseSelector('widgets'), all);
  t.deepEqual(amb.resources, []);
  t.deepEqual(amb.ambiguous.map((x) => x.group).sort(), ['a.example', 'b.example']);
  const every = names(EVERYTHING);
  t.false(every.some((n) => n.startsWith('events.')));
  t.true(every.includes('pods.v1.') && every.includes('widgets.v1.a.example'));
  t.false(every.includes('readonlies.v1.x.example'), 'resources without list/watch are not served');
  t.true(selectResources(parseSelector('nothings'), all).unresolved);
});

test('a predicate sees every version but never events', (t) => {
  t.deepEqual(names((res) => res.plural === 'kopfexamples').sort(), ['kopfexamples.v1.kopf.dev', 'kopfexamples.v1beta1.kopf.dev']);
  t.deepEqual(names((res) => res.plural === 'events'), []);
});

test('invalid selectors are errors that say what to do', (t) => {
  t.throws(() => parseSelector(''), { message: /empty/ });
  t.throws(() => parseSelector({ plural: 'a', kind: 'B' }), { message: /exactly one/ });
  t.throws(() => parseSelector({ group: 'x' }), { message: /exactly one/ });
});
