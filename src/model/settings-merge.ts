/**
 * Settings given as data (JSON): merged strictly into an {@link OperatorSettings} tree, so a misspelt field or a
 * value of the wrong type is an error naming its path instead of a setting silently ignored. Used by
 * `kopf-ts run` for the `KOPF_TS_SETTINGS` environment variable (which KopfRunner's `settings` option sets).
 * Pure data.
 */
import type { OperatorSettings } from './settings.ts';

/** The environment variable `kopf-ts run` reads settings from, as JSON (KopfRunner's `settings` option sets it). */
export const SETTINGS_ENV = 'KOPF_TS_SETTINGS';

/** Copies every field of `overrides` onto `settings`; throws a TypeError for an unknown field or a wrong type. */
export function mergeSettings(settings: OperatorSettings, overrides: unknown, source = 'settings'): void {
  mergeInto(settings as unknown as Record<string, unknown>, overrides, source);
}

/** Settings with a non-null default that take null too (null turns the feature off). */
const NULLABLE = ['.execution.passivateAfter', '.execution.releaseMemoryAfter', '.execution.maxLiveActors'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeInto(target: Record<string, unknown>, overrides: unknown, path: string): void {
  if (!isPlainObject(overrides))
    throw new TypeError(`${path} must be an object, got ${JSON.stringify(overrides)}.`);
  for (const [key, value] of Object.entries(overrides)) {
    const where = `${path}.${key}`;
    if (!Object.hasOwn(target, key)) {
      throw new TypeError(
        `${where} is not a setting; the settings here are: ${Object.keys(target).join(', ')}.`,
      );
    }
    const current = target[key];
    if (isPlainObject(current) && !isPlainObject(value) && value !== null) {
      throw new TypeError(`${where} must be an object of settings, got ${JSON.stringify(value)}.`);
    }
    if (isPlainObject(current) && isPlainObject(value)) {
      mergeInto(current, value, where);
      continue;
    }
    // A null default (an optional number, an optional object) takes a value of any type, or null again.
    const expected = Array.isArray(current) ? 'array' : typeof current;
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (current !== null && expected !== actual && !(actual === 'null' && NULLABLE.some((n) => where.endsWith(n))))
      throw new TypeError(
        `${where} must be ${expected === 'array' ? 'an array' : `a ${expected}`}, got ${JSON.stringify(value)}.`,
      );
    target[key] = value;
  }
}
