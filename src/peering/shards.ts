/**
 * Which shard an object belongs to: FNV-1a 64 of its `metadata.uid` (UTF-8), with the shards as equal ranges of
 * the 64-bit hash space — the apiserver's own definition for server-side sharding (Kubernetes 1.36's alpha
 * ShardedListAndWatch, KEP-5866), so that filtering here and `shardSelector` there agree. Shard i of S covers
 * [⌊i·2⁶⁴/S⌋, ⌊(i+1)·2⁶⁴/S⌋). Pure functions; used by src/peering/sharding.ts and its tests.
 */

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;
const SPACE = 1n << 64n;

/** FNV-1a 64 of a string's UTF-8 bytes. */
export function fnv1a64(text: string): bigint {
  let hash = OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash;
}

/** The first hash of shard `index` of `count` (`count` gives 2⁶⁴, the end of the space). */
export function shardStart(index: number, count: number): bigint {
  return (SPACE * BigInt(index)) / BigInt(count);
}

/** The shard (0…count-1) of an object by its uid. */
export function shardOf(uid: string, count: number): number {
  const hash = fnv1a64(uid);
  let index = Number((hash * BigInt(count)) >> 64n);
  while (index > 0 && hash < shardStart(index, count)) index--;
  while (index < count - 1 && hash >= shardStart(index + 1, count)) index++;
  return index;
}

/** `0x…` as the apiserver writes the bounds. */
function hex(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}

/**
 * The `shardSelector` of the listed shards for LIST and WATCH: `shardRange(object.metadata.uid, '0x…', '0x…')`
 * per run of adjacent shards, joined by `||`; undefined for all shards, `null` for none (nothing to watch).
 */
export function shardSelector(shards: Iterable<number>, count: number): string | undefined | null {
  const sorted = [...new Set(shards)].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  if (sorted.length === count) return undefined;
  const ranges: string[] = [];
  let start = sorted[0]!;
  let previous = start;
  for (const index of [...sorted.slice(1), Number.NaN]) {
    if (index === previous + 1) {
      previous = index;
      continue;
    }
    ranges.push(
      `shardRange(object.metadata.uid, '${hex(shardStart(start, count))}', '${hex(shardStart(previous + 1, count))}')`,
    );
    start = previous = index;
  }
  return ranges.join(' || ');
}
