/**
 * Logging: the root pino logger of an operator and the per-object child loggers handed to handlers as
 * `logger` (bindings `namespace, name, uid, kind`, as DESIGN §7). Called by src/engine and src/cli.
 * Formats: 'plain' (the message only), 'full' (with time, level and the other fields), both by text-log.ts;
 * 'json' (pino's own lines).
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { textLogStream } from './text-log.ts';

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
  const stream = textLogStream(dest, {
    layout: format,
    prefix: options.prefix !== false,
    colorize: (dest as { isTTY?: boolean }).isTTY ?? false,
  });
  return pino({ level, base: undefined }, stream);
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
