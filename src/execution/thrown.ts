/**
 * Whatever a handler throws, made into an Error and described in one line. JavaScript lets code throw a
 * string, a number, `undefined` or any object; Kopf's rules and log lines need an exception with a message.
 * Used by outcome.ts (classification), worker.ts (the envelope) and the front door (`kopf.exception`).
 * Imports nothing: the worker entry loads it.
 */

/** An Error standing for a thrown value that was not an Error; the value itself is kept in `value`. */
export class ThrownValueError extends Error {
  override name = 'ThrownValueError';
  readonly value: unknown;
  constructor(value: unknown) {
    super(describeNonError(value));
    this.value = value;
  }
}

/** Kopf's `str(e) or repr(e)`: the message, else `Name()`; for a non-Error, what was thrown and that it was not an Error. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || `${thrown.name}()`;
  return describeNonError(thrown);
}

/** `thrown` if it is an Error, else a {@link ThrownValueError} describing it. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new ThrownValueError(thrown);
}

function describeNonError(value: unknown): string {
  if (value === undefined || value === null) return `${String(value)} was thrown instead of an Error`;
  const type = Array.isArray(value)
    ? 'an array'
    : typeof value === 'object'
      ? 'an object'
      : `a ${typeof value}`;
  return `${render(value)} (${type} was thrown instead of an Error)`;
}

function render(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  if (typeof value !== 'object') return String(value);
  try {
    const text = JSON.stringify(value);
    if (text !== undefined && text !== '{}') return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  } catch {
    // circular or otherwise not JSON: fall back to the tag below
  }
  const tag = Object.prototype.toString.call(value);
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `${tag} (${name})` : tag;
}
