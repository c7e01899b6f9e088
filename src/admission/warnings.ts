/**
 * Admission warnings fitted to what the API server passes on: it turns each into a `Warning:` HTTP header, so a
 * warning must be one line of printable text, and it truncates or drops what exceeds its limits (each warning
 * longer than 256 characters is cut once the total passes 4 KiB). We send at most that, cut the same way, and
 * say how many were cut, instead of letting the server lose them silently. Called by review.ts. Pure.
 */

/** The API server's budget for all warnings of one response (characters). */
export const WARNINGS_TOTAL = 4096;
/** A single warning is cut to this many characters when the total would be exceeded. */
export const WARNING_ITEM = 256;

/** The warnings as sent, and how many were shortened or dropped. */
export interface CappedWarnings {
  warnings: string[];
  dropped: number;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** One printable line per warning (control characters become spaces), empty ones dropped, within the budget. */
export function capWarnings(raw: readonly unknown[]): CappedWarnings {
  const lines = raw.map((w) => String(w).replace(CONTROL, ' ').trim()).filter((w) => w.length > 0);
  let dropped = raw.length - lines.length;
  const total = lines.reduce((n, w) => n + w.length, 0);
  const fitted =
    total <= WARNINGS_TOTAL
      ? lines
      : lines.map((w) => (w.length > WARNING_ITEM ? `${w.slice(0, WARNING_ITEM - 1)}…` : w));
  const out: string[] = [];
  let used = 0;
  for (const [i, w] of fitted.entries()) {
    if (w !== lines[i]) dropped++;
    if (used + w.length > WARNINGS_TOTAL) {
      dropped += fitted.length - i;
      break;
    }
    out.push(w);
    used += w.length;
  }
  return { warnings: out, dropped };
}
