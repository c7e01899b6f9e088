// Unit tests of src/model/progress.ts: records built and advanced exactly as the real Kopf's HandlerState
// serialises them (test/model/fixtures/kopf-1.44.6.json: a fake loop clock at T0, +1.5 s, +40.000001 s),
// and the finished/sleeping/awakened states.
import test from 'ava';
import {
  delayOf,
  isAwakened,
  isFinished,
  isSleeping,
  newRecord,
  normalizeRecord,
  recordFailure,
  recordRetry,
  recordSuccess,
  runtimeOf,
  storedForm,
  withOutcome,
  withPurpose,
} from '../../src/model/progress.ts';
import { encodeRecord } from '../../src/model/progress-storage.ts';
import { parseTimestamp } from '../../src/model/timestamps.ts';
import { kopf } from './kopf-fixtures.ts';

const T0 = parseTimestamp('2026-11-24T23:40:37.494737+00:00')!;

test('new, retried, succeeded and failed records equal Kopf`s byte for byte', (t) => {
  const fresh = newRecord(T0, 'create');
  t.is(encodeRecord(fresh), kopf.records.new);
  const retried = recordRetry(fresh, 'not yet', 30, T0 + 1500);
  t.is(encodeRecord(retried), kopf.records.retry);
  t.is(encodeRecord(recordSuccess(retried, T0 + 40_000.001, ['fn/b', 'fn/a'])), kopf.records.success);
  t.is(encodeRecord(recordFailure(fresh, 'nope ✗', T0 + 40_000.001)), kopf.records.failure);
});

test('states: finished, sleeping until delayed, then awakened', (t) => {
  const fresh = newRecord(T0, 'update');
  t.false(isFinished(fresh));
  t.true(isAwakened(fresh, T0));
  t.is(delayOf(fresh, T0), 0);
  const retried = recordRetry(fresh, 'later', 10, T0);
  t.true(isSleeping(retried, T0 + 9_999));
  t.false(isAwakened(retried, T0 + 9_999));
  t.is(delayOf(retried, T0 + 4_000), 6);
  t.false(isSleeping(retried, T0 + 10_000), 'due exactly at the delay');
  t.true(isAwakened(retried, T0 + 10_000));
  const done = recordSuccess(retried, T0 + 10_000);
  t.true(isFinished(done));
  t.false(isAwakened(done, T0));
  t.is(delayOf(done, T0), null);
  t.is(done.retries, 2);
  t.is(done.message, undefined, 'a success clears the last error');
  t.is(done.delayed, undefined);
  t.is(runtimeOf(done, T0 + 12_500), 12.5);
});

test('stopped is kept once set; subrefs are merged, deduplicated and sorted', (t) => {
  const first = withOutcome(newRecord(T0), { final: true, subrefs: ['p/b'] }, T0 + 1000);
  const again = withOutcome(first, { final: true, subrefs: ['p/a', 'p/b'] }, T0 + 5000);
  t.is(again.stopped, first.stopped);
  t.deepEqual(again.subrefs, ['p/a', 'p/b']);
});

test('stored records are normalised as Kopf reads them', (t) => {
  t.deepEqual(normalizeRecord({ retries: 2, success: true, subrefs: ['b', 'a'], purpose: '' }, T0), {
    started: '2026-11-24T23:40:37.494737+00:00',
    retries: 2,
    success: true,
    failure: false,
    subrefs: ['a', 'b'],
  });
  const stored = JSON.parse(kopf.records.retry);
  t.deepEqual(normalizeRecord(stored, T0 + 99_999), stored, 'a Kopf record is already normal');
  t.deepEqual(withPurpose(stored, 'update').purpose, 'update');
  t.is(withPurpose(stored, null).purpose, undefined);
  t.deepEqual(Object.keys(storedForm({ message: 'm', started: 's', retries: null })), ['started', 'message']);
});
