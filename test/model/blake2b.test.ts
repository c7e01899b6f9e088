// Unit tests of src/model/blake2b.ts: RFC 7693 Appendix A, and digests by Python's hashlib.blake2b
// (test/model/fixtures/kopf-1.44.6.json) for 4-byte and other digest sizes, keys, and block boundaries.
import test from 'ava';
import { blake2b } from '../../src/model/blake2b.ts';
import { kopf } from './kopf-fixtures.ts';

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

test('RFC 7693 Appendix A: BLAKE2b-512("abc")', (t) => {
  t.is(
    hex(blake2b('abc')),
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1' +
      '7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
  );
});

test('digests equal Python`s hashlib.blake2b for every fixture', (t) => {
  t.true(kopf.blake2b.length >= 10);
  for (const { data, size, key, hex: expected } of kopf.blake2b) {
    t.is(
      hex(blake2b(data, size, new TextEncoder().encode(key))),
      expected,
      `${size} bytes of ${data.slice(0, 10)}… key=${key}`,
    );
  }
});

test('a 4-byte digest is not a truncated 64-byte one', (t) => {
  t.not(hex(blake2b('abc', 4)), hex(blake2b('abc')).slice(0, 8));
});

test('bad digest sizes and keys are refused', (t) => {
  t.throws(() => blake2b('x', 0), { instanceOf: RangeError });
  t.throws(() => blake2b('x', 65), { instanceOf: RangeError });
  t.throws(() => blake2b('x', 4, new Uint8Array(65)), { instanceOf: RangeError });
});
