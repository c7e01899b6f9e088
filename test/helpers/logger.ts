/**
 * A root logger that drops everything (warn level and up are formatted, then discarded), for tests and
 * benchmarks that run an operator in-process and do not read its log. Used by test/engine/*, test/devtools/*
 * and bench/timers.ts.
 */
import { Writable } from 'node:stream';
import { createRootLogger, type Logger } from '../../src/observe/log.ts';

/** A logger whose lines go nowhere. */
export function quietLogger(): Logger {
  return createRootLogger({ format: 'json', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
}
