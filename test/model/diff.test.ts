// Unit tests of src/model/diff.ts against the diffs and reductions computed by the real Kopf
// (test/model/fixtures/kopf-1.44.6.json; Kopf's item order within a mapping is a Python set's, so compare sorted).
import test from 'ava';
import { diff, reduceDiff, EMPTY_DIFF, type Diff } from '../../src/model/diff.ts';
import { kopf } from './kopf-fixtures.ts';

const sorted = (d: Diff | unknown[]) => (d as unknown[]).map((item) => JSON.stringify(item)).sort();

test('diffs equal Kopf`s for every fixture pair', (t) => {
  for (const { a, b, diff: expected } of kopf.diffs) {
    t.deepEqual(sorted(diff(a, b)), sorted(expected), JSON.stringify({ a, b }));
  }
});

test('diff items: add/remove/change, lists wholesale, absent as null', (t) => {
  t.deepEqual(diff({ spec: { a: 1 } }, { spec: { a: 1 } }), []);
  t.deepEqual(diff(undefined, null), []);
  t.deepEqual(diff({ spec: { l: [1] } }, { spec: { l: [1, 2] } }), [['change', ['spec', 'l'], [1], [1, 2]]]);
  t.deepEqual(diff({ spec: {} }, { spec: { x: undefined } }), []);
  t.deepEqual(diff({ x: 1 }, {}), [['remove', ['x'], 1, null]]);
  t.deepEqual(diff({}, { x: 1 }, ['spec']), [['add', ['spec', 'x'], null, 1]]);
  t.deepEqual(diff({ a: 1, b: 1, c: 1 }, { d: 1, a: 2, b: 1 }), [
    ['add', ['d'], null, 1],
    ['remove', ['c'], 1, null],
    ['change', ['a'], 1, 2],
  ]);
  t.is(EMPTY_DIFF.length, 0);
});

test('reductions equal Kopf`s', (t) => {
  for (const { diff: d, path, reduced } of kopf.reductions) {
    t.deepEqual(sorted(reduceDiff(d as unknown as Diff, path)), sorted(reduced), JSON.stringify({ d, path }));
  }
});

test('reduceDiff drops unrelated items and recomputes below a wholesale parent', (t) => {
  const d: Diff = [
    ['add', ['spec'], null, { field: { a: 1, b: 2 } }],
    ['change', ['metadata', 'labels', 'x'], '1', '2'],
  ];
  t.deepEqual(reduceDiff(d, 'spec.field'), [['add', [], null, { a: 1, b: 2 }]]);
  t.deepEqual(
    reduceDiff([['change', ['spec'], { field: { a: 1 } }, { field: { a: 2, b: 2 } }]], 'spec.field'),
    [
      ['add', ['b'], null, 2],
      ['change', ['a'], 1, 2],
    ],
  );
  t.deepEqual(reduceDiff(d, 'status'), []);
  t.deepEqual(reduceDiff([['change', ['spec'], 'str', { f: 1 }]], 'spec.f'), [['add', [], null, 1]]);
});
