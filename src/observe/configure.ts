/**
 * `kopf.configure({ verbose, debug, quiet, logFormat, logPrefix })`, Kopf's `kopf.configure()`: the level and
 * format of the operator's root logger, for embedding (`kopf.operator()` / `kopf.run()` without a `logger`).
 * `kopf-ts run` configures its logging through the same function. Called by the front door, src/cli/run.ts
 * (configure) and src/engine/operator.ts (configuredRootLogger). Kept on `globalThis`, so two copies of the
 * package share it.
 */
import { createRootLogger, type LogFormat as Format, type LogOptions, type Logger } from './log.ts';

/** Kopf's `kopf.LogFormat`: a value as well as a type (`kopf.LogFormat.JSON === 'json'`). */
export const LogFormat = { PLAIN: 'plain', FULL: 'full', JSON: 'json' } as const satisfies Record<
  string,
  Format
>;
/** One of the {@link LogFormat} values. */
export type LogFormat = Format;

/** Options of {@link configure}, Kopf's in camelCase. */
export interface ConfigureOptions {
  /** Debug logging (as `--debug`). */
  debug?: boolean | null;
  /** Debug logging (as `--verbose`). */
  verbose?: boolean | null;
  /** Warnings and errors only (as `--quiet`). */
  quiet?: boolean | null;
  /** `'full'` (the default), `'plain'` or `'json'` (as `--log-format`). */
  logFormat?: LogFormat;
  /** Text formats: prefix object messages with `[namespace/name] `; default true (JSON has the fields instead). */
  logPrefix?: boolean | null;
}

const NAMES = ['debug', 'verbose', 'quiet', 'logFormat', 'logPrefix'];
const FORMATS: readonly string[] = Object.values(LogFormat);
const KEY = Symbol.for('kopf-ts.logging');

/**
 * Sets the level (debug/verbose → debug, quiet → warn, else info) and the format of the root logger of operators
 * started later without a `logger` of their own. An unknown option or format is a TypeError.
 */
export function configure(options: ConfigureOptions = {}): void {
  if (options === null || typeof options !== 'object')
    throw new TypeError('kopf.configure() takes an options object.');
  for (const name of Object.keys(options)) {
    if (!NAMES.includes(name)) {
      const camel = name.replace(/_+([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint =
        camel !== name && NAMES.includes(camel)
          ? ` Use '${camel}' (kopf-ts spells options in camelCase).`
          : '';
      throw new TypeError(
        `kopf.configure(): unknown option '${name}'.${hint} Valid options: ${NAMES.join(', ')}.`,
      );
    }
  }
  const format = options.logFormat ?? 'full';
  if (!FORMATS.includes(format)) {
    throw new TypeError(
      `kopf.configure(): logFormat must be one of ${FORMATS.map((f) => `'${f}'`).join(', ')} (kopf.LogFormat.*), got ${JSON.stringify(format)}.`,
    );
  }
  if (options.logPrefix && format === 'json')
    throw new TypeError(
      "kopf.configure(): logPrefix is for the text formats; JSON lines carry 'namespace' and 'name' as fields.",
    );
  const level = options.debug || options.verbose ? 'debug' : options.quiet ? 'warn' : 'info';
  (globalThis as Record<symbol, unknown>)[KEY] = {
    level,
    format,
    prefix: options.logPrefix ?? true,
  } satisfies LogOptions;
}

/** A root logger as last {@link configure}d; before any configure(): info, and `full` on a terminal, else JSON. */
export function configuredRootLogger(): Logger {
  return createRootLogger(((globalThis as Record<symbol, unknown>)[KEY] as LogOptions | undefined) ?? {});
}
