/**
 * The text log formats: a pino destination that turns each JSON record into Kopf's layout of a text line,
 * `[HH:MM:ss.mmm] LEVEL: [namespace/name] message` ('full', with the record's other fields indented below) or
 * the message alone ('plain'), and writes it to the real destination at once. Called by log.ts only.
 * It does the work pino-pretty did for these two layouts at about a fifth of its cost per line (measured in
 * docs/benchmarks.md): logging was a sixth of the operator's CPU time per handled change.
 */

/** Keys that are never printed below a line: pino's own and the object bindings (printed as the prefix). */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'namespace', 'name', 'uid', 'kind']);

const LABELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLOURS: Record<number, string> = { 10: '90', 20: '34', 30: '32', 40: '33', 50: '31', 60: '41' };

/** How {@link textLogStream} lays lines out. */
export interface TextLogOptions {
  /** 'full': time, level and the other fields; 'plain': the message only. */
  layout: 'plain' | 'full';
  /** Prefix object messages with `[namespace/name] `. */
  prefix: boolean;
  /** Colour the level label (for a terminal). */
  colorize: boolean;
}

/** A destination for pino: parses each record and writes its text line synchronously to `destination`. */
export function textLogStream(
  destination: NodeJS.WritableStream,
  options: TextLogOptions,
): { write(record: string): boolean } {
  return {
    write(record: string): boolean {
      let line: string;
      try {
        line = formatRecord(JSON.parse(record) as Record<string, unknown>, options);
      } catch {
        line = record.endsWith('\n') ? record.slice(0, -1) : record; // not JSON: pass it on as it is
      }
      return line === '' ? true : destination.write(`${line}\n`);
    },
  };
}

/** One record as its text line(s), without the final newline; '' when there is nothing to print. */
export function formatRecord(log: Record<string, unknown>, options: TextLogOptions): string {
  const message = `${options.prefix ? prefixOf(log) : ''}${typeof log['msg'] === 'string' ? log['msg'] : ''}`;
  if (options.layout === 'plain') return message;
  const level = typeof log['level'] === 'number' ? log['level'] : 30;
  const label = LABELS[level] ?? `USERLVL`;
  const coloured = options.colorize ? `\u001b[${COLOURS[level] ?? '0'}m${label}\u001b[39m` : label;
  const time = typeof log['time'] === 'number' ? `[${clock(log['time'])}] ` : '';
  let text = `${time}${coloured}: ${message}`;
  for (const key in log) {
    if (HIDDEN.has(key)) continue;
    text += `\n    ${key}: ${indent(render(log[key]))}`;
  }
  return text;
}

/** Kopf's object prefix of text log lines: `[namespace/name] `, `[name] ` for cluster-scoped ones, else nothing. */
function prefixOf(log: Record<string, unknown>): string {
  const name = log['name'];
  if (typeof name !== 'string' || !name) return '';
  const ns = log['namespace'];
  return typeof ns === 'string' && ns ? `[${ns}/${name}] ` : `[${name}] `;
}

/** A field's value: errors (pino's `{type, message, stack}`) as their stack, anything else as indented JSON. */
function render(value: unknown): string {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { stack?: unknown }).stack === 'string'
  ) {
    const { stack, type, message, ...rest } = value as Record<string, unknown>;
    void type;
    void message;
    const extra = Object.keys(rest).length > 0 ? `\n${JSON.stringify(rest, null, 2)}` : '';
    return `${String(stack)}${extra}`;
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** Continuation lines of a field, indented under it. */
function indent(text: string): string {
  return text.includes('\n') ? text.replaceAll('\n', '\n    ') : text;
}

/** Local wall-clock time as HH:MM:ss.mmm. */
function clock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
