/**
 * Finds what would not survive the trip to or from a worker thread (structured clone): functions and
 * symbols (a DataCloneError) and class instances with methods (they would arrive as plain objects without
 * their methods). Used by pool.ts on a sync handler's kwargs and by worker.ts on its result, so that the
 * error names the handler, the place and the ways out. Imports nothing.
 */

const CLONEABLE_CLASSES: readonly unknown[] = [
  Date,
  RegExp,
  Map,
  Set,
  Error,
  ArrayBuffer,
  DataView,
  Boolean,
  Number,
  String,
  ...(typeof SharedArrayBuffer === 'function' ? [SharedArrayBuffer] : []),
];

/** Where the value is not cloneable, as `path: reason`; `null` when it will cross intact. */
export function findUncloneable(value: unknown, path: string): string | null {
  const trail: string[] = [];
  const reason = walk(value, trail, new Set());
  return reason === null ? null : `${path}${trail.reverse().join('')} ${reason}`;
}

/** The reason `value` cannot cross, with the path to it pushed (innermost first) onto `trail`; else `null`. */
function walk(value: unknown, trail: string[], seen: Set<object>): string | null {
  if (typeof value === 'function') return 'is a function';
  if (typeof value === 'symbol') return 'is a symbol';
  if (value === null || typeof value !== 'object') return null;
  if (seen.has(value)) return null;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], trail, seen);
      if (found) return (trail.push(`[${i}]`), found);
    }
    return null;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const inKey = walk(k, trail, seen);
      if (inKey) return (trail.push(' (a Map key)'), inKey);
      const found = walk(v, trail, seen);
      if (found) return (trail.push(`.get(${JSON.stringify(String(k))})`), found);
    }
    return null;
  }
  if (value instanceof Set) {
    for (const v of value) {
      const found = walk(v, trail, seen);
      if (found) return (trail.push(' (a Set member)'), found);
    }
    return null;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && proto !== Object.prototype) {
    if (CLONEABLE_CLASSES.some((cls) => value instanceof (cls as new () => unknown))) return null;
    if (hasMethods(proto)) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name || 'an anonymous class';
      return `is an instance of ${name}, whose methods would be lost`;
    }
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const found = walk((value as Record<string, unknown>)[key], trail, seen);
    if (found) return (trail.push(childPath(key)), found);
  }
  return null;
}

function hasMethods(proto: object): boolean {
  for (
    let p: object | null = proto;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const key of Reflect.ownKeys(p)) {
      if (key === 'constructor') continue;
      const desc = Object.getOwnPropertyDescriptor(p, key);
      if (desc && (typeof desc.value === 'function' || desc.get || desc.set)) return true;
    }
  }
  return false;
}

function childPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
