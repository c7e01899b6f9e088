// The operator's lifecycle as `kopf-ts run` and KopfRunner give it (real control plane): KopfRunner's `settings`
// reach the operator before the startup handlers (and a misspelt one fails the start, named); `ready()` resolves
// only once the resources are listed and rejects when the operator exits first; after the cleanup handlers the CLI
// waits for what handlers left running (a 2-second timer's file is written before it exits), but only up to
// settings.process.hungTasksTimeout (a never-ending interval does not hold it), and an operator that left nothing
// running exits without waiting.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, testCluster, type TestCluster } from '../helpers/cluster.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/lifecycle/${name}`, import.meta.url));
const MINIMAL = fileURLToPath(new URL('../../examples/01-minimal/operator.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

function runner(
  file: string,
  options: ConstructorParameters<typeof KopfRunner>[1] = {},
  env: NodeJS.ProcessEnv = {},
): KopfRunner {
  return new KopfRunner(['run', '--standalone', '-n', cluster.namespace, file], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, ...env },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
    ...options,
  }).start();
}

test('settings reach the operator before the startup handlers; ready() waits for the listing', async (t) => {
  const r = runner(fixture('settings.ts'), {
    settings: { watching: { serverTimeout: 10 }, process: { hungTasksTimeout: 3 } },
  });
  try {
    await r.ready();
    const out = r.output;
    t.true(out.includes('settings: serverTimeout=10 hungTasksTimeout=3'), out);
    const watching = out.indexOf(`Watching kopfexamples.v1.kopf.dev in ${cluster.namespace}`);
    t.true(watching >= 0, out);
    t.true(
      out.indexOf('The operator is ready: every watched resource is listed.') > watching,
      'ready after the listing',
    );
  } finally {
    t.is(await r.stop(), 0);
  }
});

test('a misspelt setting fails the start, named', async (t) => {
  const r = runner(MINIMAL, { settings: { watching: { server_timeout: 10 } as any } });
  await t.throwsAsync(r.ready(), { message: /the operator exited \(code 1\)/ });
  t.regex(
    r.output,
    /KOPF_TS_SETTINGS\.watching\.server_timeout is not a setting; the settings here are: serverTimeout, inactivityTimeout/,
  );
  const wrongType = runner(MINIMAL, { settings: { watching: { inactivityTimeout: '70' as any } } });
  await t.throwsAsync(wrongType.ready(), { message: /the operator exited \(code 1\)/ });
  t.regex(wrongType.output, /KOPF_TS_SETTINGS\.watching\.inactivityTimeout must be a number, got "70"\./);
});

test('settings that JSON cannot carry are refused by KopfRunner itself', (t) => {
  t.throws(
    () => new KopfRunner(['run', MINIMAL], { settings: { execution: { maxWorkers: Infinity } } }).start(),
    { message: /settings\.execution\.maxWorkers is not a finite number/ },
  );
  t.throws(() => new KopfRunner(['run', MINIMAL], { settings: { watching: new Map() as any } }).start(), {
    message: /settings\.watching cannot cross to the operator process \(only JSON data does\): Map/,
  });
});

test('ready() rejects when the operator exits before it is ready', async (t) => {
  const r = runner(fixture('startup-fails.ts'));
  await t.throwsAsync(r.ready(), { message: /the operator exited \(code 1\) before printing/ });
  t.regex(r.output, /no way/);
});

test('the CLI waits for a timer that a cleanup handler started, then exits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-hung-'));
  const done = join(dir, 'done.txt');
  const r = runner(fixture('cleanup-timer.ts'), {}, { DONE_FILE: done });
  await r.ready();
  t.is(await r.stop(), 0);
  t.true(existsSync(done), r.output);
  t.is(readFileSync(done, 'utf8'), 'written after cleanup');
  t.regex(r.output, /Waiting up to 5 s for what the handlers started and left running: Timeout\./);
  t.regex(r.output, /What the handlers started has finished\./);
});

test('the CLI exits after hungTasksTimeout however long a handler-started interval runs', async (t) => {
  const r = runner(fixture('never-ending.ts'), { settings: { process: { hungTasksTimeout: 1 } } });
  await r.ready();
  const stopping = Date.now();
  t.is(await r.stop(30_000), 0);
  const took = Date.now() - stopping;
  t.regex(r.output, /Hung tasks are abandoned after 1 s: Timeout\./);
  t.true(took >= 1000 && took < 15_000, `took ${took} ms`);
});

test('an operator that left nothing running exits without waiting', async (t) => {
  const r = runner(MINIMAL);
  await r.ready();
  t.is(await r.stop(), 0);
  t.regex(r.output, /The operator has stopped\./);
  t.notRegex(r.output, /Waiting up to|Hung tasks/);
  await eventually(() => r.exitCode !== undefined, 'the exit code');
});
