/**
 * A root logger that drops everything (warn level and up are formatted, then discarded), for tests and
 * benchmarks that run an operator in-process and do not read its log. Used by test/engine/*, test/devtools/*
 * and bench/timers.ts. Also `logMessages`, an operator's log without its timestamps, for tests that
 * assert what a log does not say (test/cli/rbac, test/cli/in-cluster).
 */
import { Writable } from 'node:stream';
import { createRootLogger, type Logger } from '../../src/observe/log.ts';

/** A logger whose lines go nowhere. */
export function quietLogger(): Logger {
  return createRootLogger({ format: 'json', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
}

/**
 * The operator's log lines without their `[hh:mm:ss.mmm]` stamps, so a search for a status code such
 * as 401 cannot match the milliseconds of a stamp.
 */
export function logMessages(output: string): string {
  return output.replace(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] /gm, '');
}
