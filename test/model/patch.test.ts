// Unit tests of src/model/patch.ts: the handler-facing patch object, pruning, merging, status splitting,
// RFC 7386 application and no-op detection.
import test from 'ava';
import {
  applyMergePatch,
  isEmptyPatch,
  mergePatches,
  newPatch,
  patchIsNoop,
  prunePatch,
  revivePatch,
  splitStatus,
} from '../../src/model/patch.ts';
import type { Body } from '../../src/model/body.ts';

test('a new patch has pre-made stanzas, a meta alias, and is empty', (t) => {
  const patch = newPatch();
  t.true(isEmptyPatch(patch));
  patch.status['x'] = 1;
  patch.meta.labels['a'] = 'b';
  patch.metadata.annotations['gone'] = null;
  t.false(isEmptyPatch(patch));
  t.deepEqual(prunePatch(patch), {
    status: { x: 1 },
    metadata: { labels: { a: 'b' }, annotations: { gone: null } },
  });
  t.false(Object.keys(patch).includes('meta'), 'the alias is not serialised');
});

test('pruning keeps objects a handler set explicitly and drops undefined values', (t) => {
  const patch = newPatch();
  patch.spec['empty'] = {};
  patch.status['u'] = undefined;
  t.deepEqual(prunePatch(patch), { spec: { empty: {} } });
  t.deepEqual(prunePatch({ metadata: { labels: {}, finalizers: [] } }), { metadata: { finalizers: [] } });
});

test('a patch survives structured clone and is revived with its alias', (t) => {
  const patch = newPatch({ status: { a: 1 }, data: { k: 'v' } });
  const copy = revivePatch(structuredClone(patch));
  t.deepEqual(prunePatch(copy), { status: { a: 1 }, data: { k: 'v' } });
  copy.meta.annotations['x'] = 'y';
  t.is(copy.metadata.annotations['x'], 'y');
  const bare = revivePatch({ spec: null });
  t.is(bare.spec, null as unknown as Record<string, unknown>, 'explicit values are kept');
  t.deepEqual(bare.status, {});
});

test('newPatch copies its initial content', (t) => {
  const init = { metadata: { labels: { a: '1' } }, status: { s: { deep: 1 } } };
  const patch = newPatch(init);
  (patch.status['s'] as { deep: number }).deep = 2;
  t.is(init.status.s.deep, 1);
  t.deepEqual(patch.metadata.labels, { a: '1' });
  t.deepEqual(patch.metadata.annotations, {});
});

test('mergePatches merges objects, later values win, inputs untouched', (t) => {
  const a = newPatch({ status: { x: 1, y: { a: 1 } }, metadata: { labels: { l: '1' } } });
  const b = newPatch({ status: { y: { b: 2 }, z: null }, spec: { list: [1] } });
  const merged = mergePatches(a, b);
  t.deepEqual(prunePatch(merged), {
    status: { x: 1, y: { a: 1, b: 2 }, z: null },
    metadata: { labels: { l: '1' } },
    spec: { list: [1] },
  });
  t.deepEqual(
    prunePatch(mergePatches(newPatch({ status: { y: 'scalar' } }), newPatch({ status: { y: { o: 1 } } }))),
    { status: { y: { o: 1 } } },
  );
  t.deepEqual(prunePatch(a), { status: { x: 1, y: { a: 1 } }, metadata: { labels: { l: '1' } } });
  merged.meta.labels['m'] = 'x';
  t.is(merged.metadata.labels['m'], 'x');
});

test('splitStatus sends status separately only with a status subresource', (t) => {
  const patch = newPatch({ status: { a: 1 }, metadata: { annotations: { k: 'v' } } });
  t.deepEqual(splitStatus(patch, true), {
    main: { metadata: { annotations: { k: 'v' } } },
    status: { status: { a: 1 } },
  });
  t.deepEqual(splitStatus(patch, false), {
    main: { status: { a: 1 }, metadata: { annotations: { k: 'v' } } },
    status: null,
  });
  t.deepEqual(splitStatus(newPatch({ status: { a: 1 } }), true), {
    main: null,
    status: { status: { a: 1 } },
  });
  t.deepEqual(splitStatus(newPatch(), true), { main: null, status: null });
});

test('applyMergePatch follows RFC 7386 and returns a new object', (t) => {
  const body: Body = {
    metadata: { name: 'n', labels: { a: '1', b: '2' } },
    spec: { list: [1, 2], o: { x: 1 } },
  };
  const patch = newPatch({
    metadata: { labels: { a: null, c: '3' } },
    spec: { list: [3], o: 'flat', n: { d: { e: null, f: 1 } } },
  });
  t.deepEqual(applyMergePatch(body, patch), {
    metadata: { name: 'n', labels: { b: '2', c: '3' } },
    spec: { list: [3], o: 'flat', n: { d: { f: 1 } } },
  });
  t.deepEqual(body.metadata.labels, { a: '1', b: '2' });
  // RFC 7386 Appendix A examples.
  t.deepEqual(applyMergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  t.deepEqual(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  t.deepEqual(applyMergePatch({ a: 'foo' }, { a: null }), {});
  t.deepEqual(applyMergePatch([1, 2], { a: { bb: { ccc: null } } }), { a: { bb: {} } });
});

test('patchIsNoop tells which patches would change nothing', (t) => {
  const body: Body = { metadata: { labels: { a: '1' } }, status: { fn: { x: 1, y: [1] } } };
  t.true(patchIsNoop(body, newPatch()));
  t.true(patchIsNoop(body, newPatch({ status: { fn: { x: 1 } } })));
  t.true(
    patchIsNoop(body, newPatch({ status: { fn: { y: [1] } }, metadata: { labels: { a: '1', gone: null } } })),
  );
  t.true(
    patchIsNoop(body, newPatch({ metadata: { annotations: { 'k/p': null } } })),
    'deleting an absent annotation',
  );
  t.false(patchIsNoop(body, newPatch({ status: { fn: { x: 2 } } })));
  t.false(patchIsNoop(body, newPatch({ status: { fn: { y: [1, 2] } } })));
  t.false(patchIsNoop(body, newPatch({ status: { fn: null } })));
  t.false(patchIsNoop(body, newPatch({ status: { other: { z: 1 } } })));
  t.false(patchIsNoop(body, newPatch({ status: { fn: { x: { deep: 1 } } } })));
  t.false(patchIsNoop(body, newPatch({ spec: { empty: {} } })), 'creating an empty object is a change');
});
