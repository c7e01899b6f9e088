/**
 * BLAKE2b (RFC 7693) with any digest size from 1 to 64 bytes and an optional key.
 *
 * Kopf shortens long annotation keys with `hashlib.blake2b(key, digest_size=4)`. The digest size is a
 * parameter of the hash itself (it changes the initial state), so a truncated BLAKE2b-512 differs, and
 * Node's crypto offers only BLAKE2b-512. Used by src/model/annotations.ts. Pure; written from the RFC with
 * 64-bit words as BigInts (the inputs are short handler ids, so speed does not matter).
 */

const MASK = (1n << 64n) - 1n;

/** The initialisation vector (RFC 7693 §2.6): the first 64 bits of the fractional parts of √primes. */
const IV: readonly bigint[] = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];

/** The message schedule (RFC 7693 §2.7); rounds 10 and 11 repeat rows 0 and 1. */
const SIGMA: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

function rotr(x: bigint, n: bigint): bigint {
  return ((x >> n) | (x << (64n - n))) & MASK;
}

/** The mixing function G (RFC 7693 §3.1), in place on the work vector. */
function mix(v: bigint[], a: number, b: number, c: number, d: number, x: bigint, y: bigint): void {
  v[a] = (v[a]! + v[b]! + x) & MASK;
  v[d] = rotr(v[d]! ^ v[a]!, 32n);
  v[c] = (v[c]! + v[d]!) & MASK;
  v[b] = rotr(v[b]! ^ v[c]!, 24n);
  v[a] = (v[a]! + v[b]! + y) & MASK;
  v[d] = rotr(v[d]! ^ v[a]!, 16n);
  v[c] = (v[c]! + v[d]!) & MASK;
  v[b] = rotr(v[b]! ^ v[c]!, 63n);
}

/** Reads a little-endian 64-bit word. */
function word(block: Uint8Array, offset: number): bigint {
  let result = 0n;
  for (let i = 7; i >= 0; i--) result = (result << 8n) | BigInt(block[offset + i]!);
  return result;
}

/** The compression function F (RFC 7693 §3.2) over one 128-byte block. */
function compress(h: bigint[], block: Uint8Array, counter: bigint, last: boolean): void {
  const m = Array.from({ length: 16 }, (_, i) => word(block, i * 8));
  const v = [...h, ...IV];
  v[12] = v[12]! ^ (counter & MASK);
  v[13] = v[13]! ^ (counter >> 64n);
  if (last) v[14] = v[14]! ^ MASK;
  for (let round = 0; round < 12; round++) {
    const s = SIGMA[round % 10]!;
    mix(v, 0, 4, 8, 12, m[s[0]!]!, m[s[1]!]!);
    mix(v, 1, 5, 9, 13, m[s[2]!]!, m[s[3]!]!);
    mix(v, 2, 6, 10, 14, m[s[4]!]!, m[s[5]!]!);
    mix(v, 3, 7, 11, 15, m[s[6]!]!, m[s[7]!]!);
    mix(v, 0, 5, 10, 15, m[s[8]!]!, m[s[9]!]!);
    mix(v, 1, 6, 11, 12, m[s[10]!]!, m[s[11]!]!);
    mix(v, 2, 7, 8, 13, m[s[12]!]!, m[s[13]!]!);
    mix(v, 3, 4, 9, 14, m[s[14]!]!, m[s[15]!]!);
  }
  for (let i = 0; i < 8; i++) h[i] = h[i]! ^ v[i]! ^ v[i + 8]!;
}

/**
 * The BLAKE2b digest of `data` (bytes, or a string taken as UTF-8), `digestSize` bytes long (1–64, default
 * 64), optionally keyed (a key of 1–64 bytes), as Python's `hashlib.blake2b(data, digest_size=…, key=…)`.
 */
export function blake2b(
  data: Uint8Array | string,
  digestSize = 64,
  key: Uint8Array = new Uint8Array(0),
): Uint8Array {
  if (!Number.isInteger(digestSize) || digestSize < 1 || digestSize > 64) {
    throw new RangeError(`BLAKE2b digest size must be 1..64 bytes; got ${digestSize}`);
  }
  if (key.length > 64) throw new RangeError(`BLAKE2b key must be at most 64 bytes; got ${key.length}`);
  const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;

  const h = [...IV];
  h[0] = h[0]! ^ (0x01010000n | (BigInt(key.length) << 8n) | BigInt(digestSize));

  // A key is processed as a first, zero-padded block of its own.
  const message = new Uint8Array((key.length > 0 ? 128 : 0) + input.length);
  message.set(key, 0);
  message.set(input, key.length > 0 ? 128 : 0);

  const block = new Uint8Array(128);
  let offset = 0;
  // All blocks but the last; the last one (possibly partial or empty) is flagged as final.
  while (message.length - offset > 128) {
    block.set(message.subarray(offset, offset + 128));
    offset += 128;
    compress(h, block, BigInt(offset), false);
  }
  block.fill(0);
  block.set(message.subarray(offset));
  compress(h, block, BigInt(message.length), true);

  const out = new Uint8Array(digestSize);
  for (let i = 0; i < digestSize; i++) out[i] = Number((h[i >> 3]! >> BigInt(8 * (i & 7))) & 0xffn);
  return out;
}
