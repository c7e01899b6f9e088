// Unit tests of src/model/timestamps.ts: Python's isoformat(timespec='microseconds') of aware UTC datetimes
// (values by the real Python in test/model/fixtures/kopf-1.44.6.json), and parsing ISO-8601 back.
import test from 'ava';
import { formatTimestamp, parseTimestamp } from '../../src/model/timestamps.ts';
import { kopf } from './kopf-fixtures.ts';

test('formatting equals Python`s isoformat and parsing returns the same instant', (t) => {
  for (const { iso, epoch_us } of kopf.isoformat) {
    t.is(formatTimestamp(epoch_us / 1000), iso);
    t.is(Math.round(parseTimestamp(iso)! * 1000), epoch_us, iso);
  }
});

test('Dates and whole milliseconds format with six fraction digits', (t) => {
  t.is(formatTimestamp(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000+00:00');
  t.is(formatTimestamp(0), '1970-01-01T00:00:00.000000+00:00');
  t.is(formatTimestamp(999.9996), '1970-01-01T00:00:01.000000+00:00', 'rounds to the microsecond');
  t.throws(() => formatTimestamp(Number.NaN), { instanceOf: RangeError });
});

test('parsing accepts Z, offsets, naive (UTC) times and odd fractions', (t) => {
  const base = Date.UTC(2026, 10, 24, 23, 40, 37);
  t.is(parseTimestamp('2026-11-24T23:40:37Z'), base);
  t.is(parseTimestamp('2026-11-24T23:40:37'), base);
  t.is(parseTimestamp('2026-11-24T23:40:37.5+00:00'), base + 500);
  t.is(parseTimestamp('2026-11-25T01:40:37+02:00'), base);
  t.is(parseTimestamp('2026-11-24T22:40:37-0100'), base);
  t.is(parseTimestamp('2026-11-24T23:40:37,123456789Z'), base + 123.456);
  t.is(parseTimestamp('yesterday'), null);
  t.is(parseTimestamp(''), null);
});
