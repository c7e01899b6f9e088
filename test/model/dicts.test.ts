// Unit tests of src/model/dicts.ts: field specs, resolution with absent intermediates, ensure/remove, equality.
import test from 'ava';
import {
  cherrypick,
  deepCopy,
  deepEqual,
  ensure,
  hasField,
  parseField,
  remove,
  resolve,
} from '../../src/model/dicts.ts';

test('field specs parse from dotted strings, arrays and null', (t) => {
  t.deepEqual(parseField('spec.field'), ['spec', 'field']);
  t.deepEqual(parseField(['spec', 'a.b']), ['spec', 'a.b']);
  t.deepEqual(parseField(null), []);
  t.deepEqual(parseField(undefined), []);
  t.throws(() => parseField(42 as unknown as string), { instanceOf: TypeError });
});

test('resolve returns undefined for absent fields and non-mapping intermediates, null when present', (t) => {
  const body = { spec: { a: { b: 1 }, n: null, s: 'str', l: [{ x: 1 }] } };
  t.is(resolve(body, 'spec.a.b'), 1);
  t.is(resolve(body, 'spec.n'), null);
  t.true(hasField(body, 'spec.n'));
  t.is(resolve(body, 'spec.missing'), undefined);
  t.is(resolve(body, 'spec.s.x'), undefined);
  t.is(resolve(body, 'spec.n.x'), undefined);
  t.is(resolve(body, ['spec', 'l', '0']), undefined, 'lists are not mappings');
  t.false(hasField(body, 'spec.s.x'));
  t.is(resolve(body, null), body);
  t.is(resolve(null, 'a'), undefined);
  t.is(resolve({ toString: 1 }, 'toString'), 1);
  t.is(resolve({}, 'toString'), undefined, 'inherited properties are not fields');
});

test('ensure creates parents and replaces non-object parents', (t) => {
  const obj: Record<string, unknown> = { spec: { keep: 1 }, status: null };
  ensure(obj, 'spec.a.b', 2);
  ensure(obj, 'status.x', 3);
  t.deepEqual(obj, { spec: { keep: 1, a: { b: 2 } }, status: { x: 3 } });
  t.throws(() => ensure(obj, [], 1));
});

test('remove deletes the field and the parents it emptied, and ignores absent ones', (t) => {
  const obj: Record<string, unknown> = { status: { kopf: { progress: { a: 1 } }, other: 1 }, spec: { x: 1 } };
  remove(obj, 'status.kopf.progress.a');
  t.deepEqual(obj, { status: { other: 1 }, spec: { x: 1 } });
  remove(obj, 'spec.x');
  t.deepEqual(obj, { status: { other: 1 } });
  remove(obj, 'absent.deep.field');
  remove(obj, 'status.other.deeper');
  t.deepEqual(obj, { status: { other: 1 } });
  t.throws(() => remove(obj, null));
});

test('cherrypick copies present fields deeply and skips absent ones', (t) => {
  const src = { status: { phase: { x: 1 } }, spec: 'str' };
  const dst: Record<string, unknown> = {};
  cherrypick(src, dst, ['status.phase', 'status.absent', 'spec.field']);
  t.deepEqual(dst, { status: { phase: { x: 1 } } });
  (dst['status'] as { phase: { x: number } }).phase.x = 2;
  t.is(src.status.phase.x, 1);
});

test('deepEqual ignores key order and undefined values, but not null', (t) => {
  t.true(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  t.true(deepEqual({ a: 1, u: undefined }, { a: 1 }));
  t.false(deepEqual({ a: null }, {}));
  t.false(deepEqual([1, 2], [2, 1]));
  t.false(deepEqual({ a: [] }, { a: {} }));
  t.false(deepEqual(1, '1'));
});

test('deepCopy copies deeply and keeps the key order', (t) => {
  const src = { z: 1, a: { y: [1, { x: 2 }] } };
  const copy = deepCopy(src);
  t.deepEqual(copy, src);
  t.not(copy.a, src.a);
  t.deepEqual(Object.keys(copy), ['z', 'a']);
});
