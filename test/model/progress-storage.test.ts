// Unit tests of src/model/progress-storage.ts: what Kopf's SmartProgressStorage puts into the patch for
// store/purge/touch (test/model/fixtures/kopf-1.44.6.json), reading with annotations winning over status,
// and writing only changed records.
import test from 'ava';
import {
  encodeRecord,
  fetchProgress,
  progressKeys,
  purgeProgress,
  purgeProgressAll,
  storeProgress,
  touchProgress,
  writeProgress,
} from '../../src/model/progress-storage.ts';
import { newPatch, prunePatch } from '../../src/model/patch.ts';
import type { Body } from '../../src/model/body.ts';
import { kopf } from './kopf-fixtures.ts';

const body: Body = {
  metadata: {
    annotations: { 'kopf.zalando.org/on_old': '{"retries":1}', 'kopf.zalando.org/touch-dummy': 'x' },
  },
  status: { kopf: { progress: { on_status: { retries: 2 } } } },
};

test('store, purge and touch fill the patch exactly as Kopf`s storage does', (t) => {
  const patch = newPatch();
  storeProgress(patch, body, 'fn/sub<1>', { started: 'S', retries: 0, success: false, message: null });
  storeProgress(patch, body, 'just_added', { retries: 1 });
  purgeProgress(patch, body, 'just_added');
  purgeProgress(patch, body, 'on_old');
  purgeProgress(patch, body, 'on_status');
  touchProgress(patch, body, null);
  t.deepEqual(prunePatch(patch), kopf.storage_patch);
});

test('a custom prefix gets the kopf-managed marker with its first record', (t) => {
  const patch = newPatch();
  storeProgress(patch, { metadata: {} }, 'fn', { retries: 1 }, { prefix: 'example.com' });
  t.deepEqual(prunePatch(patch), kopf.storage_patch_custom);
});

test('annotations win over status.kopf.progress, which is still read', (t) => {
  const both: Body = {
    metadata: { annotations: { 'kopf.zalando.org/on_status': '{"retries":9}' } },
    status: { kopf: { progress: { on_status: { retries: 2 } } } },
  };
  t.deepEqual(fetchProgress(both, 'on_status'), kopf.fetch.annotations_win);
  t.deepEqual(fetchProgress(body, 'on_status'), kopf.fetch.status_fallback);
  t.is(fetchProgress(body, 'absent'), null);
});

test('V1 keys are read when V2 keys are absent; malformed records are reported and skipped', (t) => {
  const id = 'a-very-long-handler-identifier-that-goes-on-and-on/with-a-sub-handler-too';
  const [v2, v1] = progressKeys(id, null);
  t.truthy(v1);
  t.deepEqual(fetchProgress({ metadata: { annotations: { [v1!]: '{"retries":3}' } } }, id), { retries: 3 });
  const reported: string[] = [];
  const broken: Body = { metadata: { annotations: { [v2!]: 'not json', [v1!]: '{"retries":4}' } } };
  t.deepEqual(fetchProgress(broken, id, { onMalformed: (key) => reported.push(key) }), { retries: 4 });
  t.deepEqual(reported, [v2]);
});

test('records are written only when they differ from what was fetched', (t) => {
  const stored = { started: 'S', retries: 1, success: false, failure: false };
  const object: Body = { metadata: { annotations: { 'kopf.zalando.org/fn': encodeRecord(stored) } } };
  const patch = newPatch();
  t.false(
    writeProgress(
      patch,
      object,
      'fn',
      { failure: false, success: false, retries: 1, started: 'S', message: null },
      stored,
    ),
  );
  t.deepEqual(prunePatch(patch), {});
  t.true(writeProgress(patch, object, 'fn', { ...stored, retries: 2 }, stored));
  t.true(writeProgress(patch, object, 'new', stored, null));
  t.deepEqual(Object.keys(patch.metadata.annotations), ['kopf.zalando.org/fn', 'kopf.zalando.org/new']);
});

test('purgeProgressAll purges handlers, stale records and sub-handlers', (t) => {
  const object: Body = {
    metadata: {
      annotations: {
        'kopf.zalando.org/a': '{}',
        'kopf.zalando.org/a.s1': '{}',
        'kopf.zalando.org/old': '{}',
      },
    },
  };
  const patch = newPatch();
  purgeProgressAll(patch, object, ['a', 'b'], { a: { subrefs: ['a/s1'] }, old: {} });
  t.deepEqual(patch.metadata.annotations, {
    'kopf.zalando.org/a': null,
    'kopf.zalando.org/a.s1': null,
    'kopf.zalando.org/old': null,
  });
  t.deepEqual(patch.status, {}, 'the pre-made status stays');
});

test('touching sets the dummy only when it differs', (t) => {
  const patch = newPatch();
  touchProgress(patch, { metadata: {} }, null);
  t.deepEqual(patch.metadata.annotations, {});
  touchProgress(patch, { metadata: {} }, '2026');
  t.deepEqual(patch.metadata.annotations, { 'kopf.zalando.org/touch-dummy': '2026' });
});
