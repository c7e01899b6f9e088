// The text log formats (src/observe/text-log.ts) through a real pino root logger: Kopf's `full` layout
// with the time, level, object prefix and the other fields below; `plain` with the message only; colours
// for a terminal; a line that is not JSON passed on as it is.
import test from 'ava';
import { Writable } from 'node:stream';
import { createRootLogger, objectLogger, type LogFormat } from '../../src/observe/log.ts';
import { formatRecord, textLogStream } from '../../src/observe/text-log.ts';

function capture(
  format: LogFormat,
  tty = false,
): { lines: string[]; logger: ReturnType<typeof createRootLogger> } {
  const lines: string[] = [];
  const destination = Object.assign(
    new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
    { isTTY: tty },
  );
  return { lines, logger: createRootLogger({ format, level: 'debug', destination }) };
}

test('full: [time] LEVEL: [namespace/name] message, and the other fields indented below', (t) => {
  const { lines, logger } = capture('full');
  const obj = objectLogger(logger, { namespace: 'ns1', name: 'obj-1', uid: 'u-1', kind: 'KopfExample' });
  obj.info("Handler 'create_fn' succeeded.");
  obj.debug({ patch: { status: { a: 1 } } }, 'Patching with %s.', 'a status');
  objectLogger(logger, { name: 'cluster-wide' }).warn('cluster-scoped');
  logger.error({ err: new TypeError('boom') }, 'Handler failed.');
  t.regex(lines[0]!, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[ns1\/obj-1\] Handler 'create_fn' succeeded\.\n$/);
  t.regex(
    lines[1]!,
    /^\[[\d:.]+\] DEBUG: \[ns1\/obj-1\] Patching with a status\.\n {4}patch: \{\n {6}"status": \{\n {8}"a": 1\n {6}\}\n {4}\}\n$/,
  );
  t.notRegex(lines[1]!, /u-1|KopfExample/, 'the bindings are the prefix, not fields');
  t.regex(lines[2]!, /^\[[\d:.]+\] WARN: \[cluster-wide\] cluster-scoped\n$/);
  t.regex(lines[3]!, /^\[[\d:.]+\] ERROR: Handler failed\.\n {4}err: TypeError: boom\n {8}at /);
});

test('the time is the local wall clock of the record', (t) => {
  const at = new Date(2026, 11, 3, 4, 5, 6, 7).getTime();
  t.is(
    formatRecord({ level: 30, time: at, msg: 'm' }, { layout: 'full', prefix: true, colorize: false }),
    '[04:05:06.007] INFO: m',
  );
});

test('plain: the message with its prefix only; an empty message prints nothing', (t) => {
  const { lines, logger } = capture('plain');
  objectLogger(logger, { namespace: 'ns1', name: 'obj-1' }).error(
    { err: new Error('boom') },
    'Handler failed.',
  );
  logger.info('');
  logger.info('root');
  t.deepEqual(lines, ['[ns1/obj-1] Handler failed.\n', 'root\n']);
});

test('a terminal gets the level in colour', (t) => {
  const { lines, logger } = capture('full', true);
  logger.warn('careful');
  t.true(lines[0]!.includes('\u001b[33mWARN\u001b[39m: careful'), JSON.stringify(lines[0]));
});

test('a line that is not JSON is passed on as it is', (t) => {
  const out: string[] = [];
  const stream = textLogStream(new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) }), {
    layout: 'full',
    prefix: true,
    colorize: false,
  });
  stream.write('not json\n');
  t.deepEqual(out, ['not json\n']);
});
