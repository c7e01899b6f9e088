/**
 * Timestamps as Kopf stores them in progress records: Python's `datetime.isoformat(timespec='microseconds')`
 * of an aware UTC datetime, e.g. `2026-11-24T23:40:37.494737+00:00`, and parsing them (and older or foreign
 * ISO-8601 forms) back.
 *
 * Times are epoch milliseconds as numbers; a fractional part carries the microseconds. Used by
 * src/model/progress.ts and the engine. Pure.
 */

/**
 * Formats epoch milliseconds (fraction = microseconds) or a Date as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
 * Sub-microsecond parts are rounded to the nearest microsecond.
 */
export function formatTimestamp(time: number | Date): string {
  const ms = typeof time === 'number' ? time : time.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid time: ${String(time)}`);
  const micros = Math.round(ms * 1000);
  const wholeMs = Math.floor(micros / 1_000_000) * 1000;
  const fraction = micros - wholeMs * 1000; // 0..999999
  const iso = new Date(wholeMs).toISOString(); // 2026-11-24T23:40:37.000Z
  return `${iso.slice(0, 19)}.${String(fraction).padStart(6, '0')}+00:00`;
}

const ISO8601 =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO-8601 date-time into epoch milliseconds (with a microsecond fraction), or `null` when the text
 * is not one. Accepts `Z`, `±HH:MM`, `±HHMM`, `±HH` offsets and no offset at all, which is taken as UTC (older
 * Kopf versions wrote naive UTC times). Fractions beyond microseconds are truncated.
 */
export function parseTimestamp(text: string): number | null {
  const m = ISO8601.exec(text.trim());
  if (!m) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = m;
  const base = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  if (Number.isNaN(base)) return null;
  const micros = Number(fraction.slice(0, 6).padEnd(6, '0'));
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    if (zone.startsWith('-')) offsetMinutes = -offsetMinutes;
  }
  return base - offsetMinutes * 60_000 + micros / 1000;
}
