// Unit tests of src/model/memo.ts: the memo's shallow per-object copies, as Kopf's copy.copy(memo).
import test from 'ava';
import { Memo, copyMemo } from '../../src/model/memo.ts';

test('a memo holds any properties and copies shallowly', (t) => {
  const memo = new Memo({ shared: { count: 0 } });
  memo['flag'] = true;
  t.deepEqual(Object.keys(memo), ['shared', 'flag'], 'copy() is not a key');
  const copy = copyMemo(memo);
  t.true(copy instanceof Memo);
  t.not(copy, memo);
  copy['own'] = 1;
  t.is(memo['own'], undefined, 'new top-level keys do not propagate');
  (copy['shared'] as { count: number }).count++;
  t.is((memo['shared'] as { count: number }).count, 1, 'values are shared');
});

test('a custom copy() decides, e.g. one global memo', (t) => {
  const global = {
    copy() {
      return this;
    },
    value: 1,
  };
  t.is(copyMemo(global), global);
  const plain = { a: 1 };
  const copy = copyMemo(plain);
  t.deepEqual(copy, plain);
  t.not(copy, plain);
});
