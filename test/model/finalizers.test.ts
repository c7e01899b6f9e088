// Unit tests of src/model/finalizers.ts: resourceVersion-guarded JSON patches for our finalizer. The remove ops
// match what Kopf 1.44.6 sends (jsonpatch.from_diff after allow_deletion, observed with the real Kopf:
// ['a',K,'b'] → remove /1; [K,'a',K] → remove /0 then /1; [K] or [K,K] → remove the list).
import test from 'ava';
import {
  addFinalizerOps,
  hasFinalizer,
  isDeletionOngoing,
  removeFinalizerOps,
  withFinalizer,
  withoutFinalizer,
} from '../../src/model/finalizers.ts';
import type { Body } from '../../src/model/body.ts';

const K = 'kopf.zalando.org/KopfFinalizerMarker';
const body = (finalizers?: string[]): Body => ({
  metadata: { resourceVersion: '42', ...(finalizers ? { finalizers } : {}) },
});
const test42 = { op: 'test', path: '/metadata/resourceVersion', value: '42' };

test('hasFinalizer and deletion detection', (t) => {
  t.true(hasFinalizer(body(['x', K]), K));
  t.false(hasFinalizer(body(), K));
  t.false(isDeletionOngoing(body()));
  t.true(isDeletionOngoing({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }));
});

test('adding: the whole list when absent, appended otherwise, nothing when present', (t) => {
  t.deepEqual(addFinalizerOps(body(), K), [test42, { op: 'add', path: '/metadata/finalizers', value: [K] }]);
  t.deepEqual(addFinalizerOps(body(['other']), K), [
    test42,
    { op: 'add', path: '/metadata/finalizers/-', value: K },
  ]);
  t.deepEqual(addFinalizerOps(body([]), K), [
    test42,
    { op: 'add', path: '/metadata/finalizers/-', value: K },
  ]);
  t.deepEqual(addFinalizerOps(body([K]), K), []);
  t.deepEqual(addFinalizerOps({ metadata: {} }, K)[0], {
    op: 'test',
    path: '/metadata/resourceVersion',
    value: null,
  });
});

test('removing: the whole list when only ours, else by index as Kopf does', (t) => {
  t.deepEqual(removeFinalizerOps(body([K]), K), [test42, { op: 'remove', path: '/metadata/finalizers' }]);
  t.deepEqual(removeFinalizerOps(body([K, K]), K), [test42, { op: 'remove', path: '/metadata/finalizers' }]);
  t.deepEqual(removeFinalizerOps(body(['a', K, 'b']), K), [
    test42,
    { op: 'remove', path: '/metadata/finalizers/1' },
  ]);
  t.deepEqual(removeFinalizerOps(body([K, 'a', K]), K), [
    test42,
    { op: 'remove', path: '/metadata/finalizers/0' },
    { op: 'remove', path: '/metadata/finalizers/1' },
  ]);
  t.deepEqual(removeFinalizerOps(body(['a', 'b', K, 'c', K, 'd']), K).slice(1), [
    { op: 'remove', path: '/metadata/finalizers/2' },
    { op: 'remove', path: '/metadata/finalizers/3' },
  ]);
  t.deepEqual(removeFinalizerOps(body(['a']), K), []);
});

test('predicted finalizer lists', (t) => {
  t.deepEqual(withFinalizer(undefined, K), [K]);
  t.deepEqual(withFinalizer(['a', K], K), ['a', K]);
  t.deepEqual(withoutFinalizer([K, 'a', K], K), ['a']);
});
