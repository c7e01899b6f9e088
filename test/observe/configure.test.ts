// kopf.configure() (src/observe/configure.ts), as Kopf's: the level and format of the root logger of an operator
// started without a logger of its own (embedding), and strict options. Each case runs in a child process, which
// configures, takes the root logger the engine would take, and logs about an object. No cluster.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as kopf from '../../src/index.ts';

const FRONT = new URL('../../src/index.ts', import.meta.url).href;
const CONFIGURED = new URL('../../src/observe/configure.ts', import.meta.url).href;

/** The stderr of a process that calls `kopf.configure(<options>)` and logs a debug, an info and a warn line. */
function logsAfter(options: string | null): string {
  const code = `
    import * as kopf from ${JSON.stringify(FRONT)};
    import { configuredRootLogger } from ${JSON.stringify(CONFIGURED)};
    ${options === null ? '' : `kopf.configure(${options});`}
    const logger = configuredRootLogger().child({ namespace: 'ns1', name: 'obj1', uid: 'u', kind: 'KopfExample' });
    logger.debug('a debug line');
    logger.info('an info line');
    logger.warn('a warning line');`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  if (child.status !== 0) throw new Error(`exit ${child.status}: ${child.stderr}`);
  return child.stderr;
}

test('LogFormat is a value as in Kopf', (t) => {
  t.deepEqual({ ...kopf.LogFormat }, { PLAIN: 'plain', FULL: 'full', JSON: 'json' });
});

test('verbose: debug lines, in the full format with the object prefix', (t) => {
  const out = logsAfter('{ verbose: true }');
  t.regex(out, /DEBUG.*\[ns1\/obj1\] a debug line/);
  t.regex(out, /INFO.*\[ns1\/obj1\] an info line/);
});

test('debug is the same level as verbose; the default is info', (t) => {
  t.regex(logsAfter('{ debug: true }'), /a debug line/);
  const plain = logsAfter('{}');
  t.notRegex(plain, /a debug line/);
  t.regex(plain, /an info line/);
});

test('quiet: warnings only', (t) => {
  const out = logsAfter('{ quiet: true, logFormat: kopf.LogFormat.PLAIN }');
  t.notRegex(out, /an info line/);
  t.is(out.trim(), '[ns1/obj1] a warning line');
});

test('plain without the prefix', (t) => {
  t.is(logsAfter("{ logFormat: 'plain', logPrefix: false }").trim(), 'an info line\na warning line');
});

test('json: one object per line with the object as fields', (t) => {
  const lines = logsAfter("{ verbose: true, logFormat: 'json' }")
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(
    lines.map((l) => [l['msg'], l['namespace'], l['name']]),
    [
      ['a debug line', 'ns1', 'obj1'],
      ['an info line', 'ns1', 'obj1'],
      ['a warning line', 'ns1', 'obj1'],
    ],
  );
});

test('unknown options, snake_case spellings and bad formats are errors', (t) => {
  t.throws(() => kopf.configure({ colour: true } as any), {
    message:
      /kopf\.configure\(\): unknown option 'colour'\. Valid options: debug, verbose, quiet, logFormat, logPrefix\./,
  });
  t.throws(() => kopf.configure({ log_format: 'json' } as any), {
    message: /unknown option 'log_format'\. Use 'logFormat'/,
  });
  t.throws(() => kopf.configure({ logFormat: 'xml' } as any), {
    message: /logFormat must be one of 'plain', 'full', 'json' \(kopf\.LogFormat\.\*\), got "xml"/,
  });
  t.throws(() => kopf.configure({ logFormat: 'json', logPrefix: true }), {
    message: /logPrefix is for the text formats/,
  });
});
