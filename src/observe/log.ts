/**
 * Logging: the root pino logger of an operator and the per-object child loggers handed to handlers as
 * `logger` (bindings `namespace, name, uid, kind`, as DESIGN §7). Called by src/engine and src/cli.
 * Formats: 'plain' (pino-pretty, message only), 'full' (pino-pretty with time, level and bindings), 'json'.
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type PinoPretty from 'pino-pretty';

/** pino-pretty, loaded only for the text formats (JSON logs never load it: a leaner process). */
const loadPretty = (): typeof PinoPretty => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

/** How log lines look. */
export type LogFormat = 'plain' | 'full' | 'json';

/** Options of {@link createRootLogger}. */
export interface LogOptions {
  level?: LevelWithSilent;
  format?: LogFormat;
  /** Where lines go (default stderr). A stream receiving JSON lines when format is 'json'. */
  destination?: NodeJS.WritableStream;
  /** Text formats: prefix object messages with `[namespace/name] ` (default true). */
  prefix?: boolean;
}

/** The operator's root logger. */
export function createRootLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? (process.stderr.isTTY ? 'full' : 'json');
  const dest = options.destination ?? process.stderr;
  if (format === 'json') return pino({ level, base: undefined }, dest as pino.DestinationStream);
  const stream = loadPretty()({
    destination: dest as NodeJS.WritableStream & { write: (s: string) => boolean },
    sync: true,
    colorize: (dest as { isTTY?: boolean }).isTTY ?? false,
    ignore: format === 'plain' ? 'pid,hostname,time,level,namespace,name,uid,kind' : 'pid,hostname,namespace,name,uid,kind',
    messageFormat: (log: Record<string, unknown>, messageKey: string) => `${options.prefix === false ? '' : prefixOf(log)}${String(log[messageKey] ?? '')}`,
    hideObject: format === 'plain',
  });
  return pino({ level, base: undefined }, stream);
}

/** Kopf's object prefix of text log lines: `[namespace/name] `, `[name] ` for cluster-scoped ones, else nothing. */
export function prefixOf(log: Record<string, unknown>): string {
  const name = log['name'];
  if (typeof name !== 'string' || !name) return '';
  const ns = log['namespace'];
  return typeof ns === 'string' && ns ? `[${ns}/${name}] ` : `[${name}] `;
}

/** Identity of an object in its log lines. */
export interface ObjectBindings {
  namespace?: string | undefined;
  name?: string | undefined;
  uid?: string | undefined;
  kind?: string | undefined;
}

/** A child logger bound to one object. */
export function objectLogger(root: Logger, bindings: ObjectBindings): Logger {
  return root.child({
    namespace: bindings.namespace ?? '',
    name: bindings.name ?? '',
    uid: bindings.uid ?? '',
    kind: bindings.kind ?? '',
  });
}

export type { Logger };
