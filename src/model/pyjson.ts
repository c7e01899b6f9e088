/**
 * JSON text exactly as Python's `json.dumps(value, separators=(',', ':'))` writes it, which is what Kopf
 * stores in its annotations (diff-base, progress records): compact, keys in insertion order, and every
 * character outside printable ASCII escaped as `\uXXXX` (Python's default `ensure_ascii=True`).
 *
 * Used by src/model/essence.ts and src/model/progress-storage.ts. Pure.
 *
 * Known differences that no JSON.parse'd value can avoid (they are semantic no-ops for Kopf, which
 * compares decoded values): JavaScript orders integer-like object keys ("80", "443") first, and a float
 * that Python would print as `1.0` or `1e+16` arrives in JavaScript as the number `1` or `10000000000000000`.
 */

/** Compact JSON of `value` with Python's ASCII escaping; `undefined` object values are dropped as usual. */
export function dumpsCompact(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('The value cannot be serialised as JSON');
  // Non-ASCII and DEL occur only inside string literals of JSON text, so escaping them in place is safe.
  return text.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
