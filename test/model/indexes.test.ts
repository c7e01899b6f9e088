// Kopf's Index and Store (src/model/indexes.ts) and their trip to a pool worker (src/execution/index-snapshots.ts):
// what an index function's result means, keys compared by value (arrays as Kopf's tuples), an object's values
// replaced and discarded, empty keys dropped, and a snapshot revived as an equal read-only Index.
import test from 'ava';
import { Index, IndexContents, Store, indexPairs } from '../../src/model/indexes.ts';
import {
  registerIndexSource,
  reviveIndexes,
  takeIndexSnapshots,
} from '../../src/execution/index-snapshots.ts';

test('a result is a mapping (Map or plain object), one value under null, or nothing', (t) => {
  t.deepEqual(indexPairs(new Map([[['ns', 'n'], true]])), [[['ns', 'n'], true]]);
  t.deepEqual(indexPairs({ a: 1, b: 2 }), [
    ['a', 1],
    ['b', 2],
  ]);
  t.deepEqual(indexPairs([1, 2]), [[null, [1, 2]]]);
  t.deepEqual(indexPairs('x'), [[null, 'x']]);
  t.deepEqual(indexPairs(false), [[null, false]]);
  t.is(indexPairs(undefined), null);
  t.is(indexPairs(null), null);
  class Custom {}
  const custom = new Custom();
  t.deepEqual(
    indexPairs(custom),
    [[null, custom]],
    'a class instance is a value, as Kopf treats a Mapping subclass',
  );
  t.throws(() => indexPairs(new Map([[() => 1, 'v']])), {
    instanceOf: TypeError,
    message: /index key must be/,
  });
});

test('keys by value, values per object, empty keys dropped', (t) => {
  const contents = new IndexContents<string>();
  const index = contents.index as Index<[string, string] | string | null, string>;
  contents.replace('o1', [
    [['ns', 'a'], 'x'],
    ['k', 'y'],
  ]);
  contents.replace('o2', [[['ns', 'a'], 'z']]);
  t.is(index.size, 2);
  t.true(index.has(['ns', 'a']));
  t.deepEqual(index.get(['ns', 'a'])?.toArray().sort(), ['x', 'z']);
  t.true(index.get(['ns', 'a']) instanceof Store);
  t.deepEqual([...index], [['ns', 'a'], 'k'], 'iterating yields the keys');
  contents.replace('o1', [['k', 'y2']]);
  t.deepEqual(index.get(['ns', 'a'])?.toArray(), ['z'], "o1's value left the key it no longer returns");
  t.deepEqual(index.get('k')?.toArray(), ['y2']);
  contents.discard('o2');
  t.false(index.has(['ns', 'a']), 'an emptied key is gone');
  t.is(index.get('missing'), undefined);
  t.false(index.has({} as never), 'a non-key is simply absent');
  t.true(index.get('k')!.has('y2'));
});

test('a snapshot crosses as plain data and revives as an equal Index', (t) => {
  const contents = new IndexContents<{ n: number }>();
  registerIndexSource(contents);
  contents.replace('o1', [[['a', 'b'], { n: 1 }]]);
  contents.replace('o2', [[null, { n: 2 }]]);
  const kwargs: Record<string, unknown> = { name: 'x', idx: contents.index };
  const snapshots = takeIndexSnapshots(kwargs);
  t.deepEqual(Object.keys(kwargs), ['name'], 'the Index left the kwargs');
  const cloned = structuredClone(snapshots);
  const revived = reviveIndexes(cloned).idx!;
  t.true(revived instanceof Index);
  t.deepEqual(revived.toJSON(), contents.index.toJSON());
  t.deepEqual(revived.get(['a', 'b'])?.toArray(), [{ n: 1 }]);
  t.true(revived.get(null)!.has({ n: 2 }));
  t.is(
    takeIndexSnapshots({ idx: contents.index })!.idx,
    snapshots!.idx,
    'an unchanged index reuses its snapshot',
  );
  contents.discard('o1');
  t.not(
    takeIndexSnapshots({ idx: contents.index })!.idx,
    snapshots!.idx,
    'a changed index is snapshotted again',
  );
});

test('an index value that cannot cross to a worker is named', (t) => {
  const contents = new IndexContents<unknown>();
  registerIndexSource(contents);
  contents.replace('o1', [['k', { fn: () => 1 }]]);
  t.throws(() => takeIndexSnapshots({ by_fn: contents.index }), {
    instanceOf: TypeError,
    message: /the index 'by_fn'\[0\]\[1\]\[0\]\.fn is a function/,
  });
});
