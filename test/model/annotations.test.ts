// Unit tests of src/model/annotations.ts: annotation keys (V1/V2, hashing, -ofDRS) compared with the keys the
// real Kopf makes (test/model/fixtures/kopf-1.44.6.json), the kopf-managed marker, and prefix detection.
import test from 'ava';
import {
  DEFAULT_FINALIZER,
  DEFAULT_DIFF_BASE_KEY,
  DEFAULT_TOUCH_KEY,
  detectMarkedPrefixes,
  makeSafeKey,
  makeSuffix,
  makeV1Key,
  makeV2Key,
  markKey,
  storageKeys,
  storeMarker,
} from '../../src/model/annotations.ts';
import { newPatch } from '../../src/model/patch.ts';
import type { Body } from '../../src/model/body.ts';
import { kopf } from './kopf-fixtures.ts';

test('the conventions', (t) => {
  t.is(DEFAULT_FINALIZER, 'kopf.zalando.org/KopfFinalizerMarker');
  t.is(DEFAULT_DIFF_BASE_KEY, 'kopf.zalando.org/last-handled-configuration');
  t.is(DEFAULT_TOUCH_KEY, 'kopf.zalando.org/touch-dummy');
  t.is(makeSafeKey('a/b<c>d'), 'a.b_c_d');
});

test('V1 and V2 keys and hash suffixes equal Kopf`s for every fixture', (t) => {
  t.true(kopf.keys.length >= 20);
  for (const { prefix, id, v1, v2, keys, suffix } of kopf.keys) {
    t.is(makeSuffix(id), suffix, id);
    t.is(makeV1Key(id, prefix), v1, `v1 ${prefix} ${id}`);
    t.is(makeV2Key(id, prefix), v2, `v2 ${prefix} ${id}`);
    t.deepEqual(storageKeys(id, null, { prefix }), keys, `keys ${prefix} ${id}`);
    t.deepEqual(storageKeys(id, null, { prefix, v1: false }), [v2]);
  }
});

test('ReplicaSets owned by a Deployment get -ofDRS', (t) => {
  const rs: Body = {
    kind: 'ReplicaSet',
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u' }] },
  };
  t.deepEqual(storageKeys('create_fn', rs), kopf.rskeys);
  t.is(markKey('k', { kind: 'ReplicaSet', metadata: {} }), 'k');
  t.is(markKey('k', { kind: 'Pod', metadata: rs.metadata }), 'k');
});

test('the kopf-managed marker is stored once and only for non-kopf prefixes', (t) => {
  const body: Body = { metadata: {} };
  const patch = newPatch();
  storeMarker(patch, body, 'kopf.zalando.org');
  storeMarker(patch, body, 'kopf.example.com');
  t.deepEqual(patch.metadata.annotations, {});
  storeMarker(patch, body, 'example.com');
  t.deepEqual(patch.metadata.annotations, { 'example.com/kopf-managed': 'yes' });
  const marked = newPatch();
  storeMarker(marked, { metadata: { annotations: { 'example.com/kopf-managed': 'yes' } } }, 'example.com');
  t.deepEqual(marked.metadata.annotations, {});
});

test('Kopf prefixes are detected by marker, by name and by subdomain', (t) => {
  const prefixes = detectMarkedPrefixes([
    'mine.example.com/kopf-managed',
    'kopf.zalando.org/x',
    'op.kopf.zalando.org/y',
    'other.example.com/z',
    'plain',
  ]);
  t.deepEqual([...prefixes].sort(), ['kopf.zalando.org', 'mine.example.com', 'op.kopf.zalando.org']);
});
