// Unit tests of src/model/json-patch.ts: Kopf's transformation functions (`patch.fns`) as RFC 6902 operations,
// split into the object's part and the status subresource's, guarded by the resourceVersion.
import test from 'ava';
import { diffOps, guarded, transformationPatches } from '../../src/model/json-patch.ts';
import type { Body } from '../../src/model/body.ts';

const body = (): Body =>
  ({
    apiVersion: 'kopf.dev/v1',
    kind: 'KopfExample',
    metadata: { name: 'x', resourceVersion: '42', finalizers: ['other/one'], labels: { 'a/b': '1' } },
    spec: { items: ['a', 'b'], gone: 1 },
    status: { list: [1] },
  }) as unknown as Body;

test('differences become add, remove and replace operations; keys are escaped; lists are replaced whole', (t) => {
  const before = body();
  const after = structuredClone(before) as any;
  after.metadata.finalizers.push('mine/cleanup');
  after.metadata.labels['a/b'] = '2';
  after.metadata.labels['c~d'] = 'x';
  delete after.spec.gone;
  t.deepEqual(diffOps(before, after), [
    { op: 'replace', path: '/metadata/finalizers', value: ['other/one', 'mine/cleanup'] },
    { op: 'replace', path: '/metadata/labels/a~1b', value: '2' },
    { op: 'add', path: '/metadata/labels/c~0d', value: 'x' },
    { op: 'remove', path: '/spec/gone' },
  ]);
  t.deepEqual(diffOps(before, structuredClone(before)), []);
});

test('the functions mutate a copy; status operations go to the subresource when there is one', (t) => {
  const original = body();
  const fns = [(b: any) => b.metadata.finalizers.push('mine/cleanup'), (b: any) => b.status.list.push(2)];
  const split = transformationPatches(original, fns, true);
  t.deepEqual(split.main, [
    { op: 'replace', path: '/metadata/finalizers', value: ['other/one', 'mine/cleanup'] },
  ]);
  t.deepEqual(split.status, [{ op: 'replace', path: '/status/list', value: [1, 2] }]);
  t.deepEqual((original as any).metadata.finalizers, ['other/one'], 'the body itself is not mutated');
  const together = transformationPatches(original, fns, false);
  t.is(together.main.length, 2);
  t.deepEqual(together.status, []);
  t.deepEqual(guarded(original, split.main)[0], {
    op: 'test',
    path: '/metadata/resourceVersion',
    value: '42',
  });
  t.throws(
    () =>
      transformationPatches(
        original,
        [
          () => {
            throw new Error('broken fn');
          },
        ],
        true,
      ),
    { message: 'broken fn' },
  );
});
