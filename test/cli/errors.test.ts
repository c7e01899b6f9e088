// The CLI's answers to bad input, as a user meets them (`kopf-ts run` in a child process): an operator file that
// throws while loading (the file and the stack), a missing file, a malformed kubeconfig (the file named), a
// --log-format outside its choices, a --devtools value that is not HOST:PORT. And the loader's fallback: a .ts
// file that Node's type stripping cannot load runs through tsx, in the main thread and on the pool; with
// KOPF_TS_TYPESCRIPT=native it fails with a clear message instead. Real control plane.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, KOPFEXAMPLES, testCluster, type TestCluster } from '../helpers/cluster.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/cli/${name}`, import.meta.url));
const MINIMAL = fileURLToPath(new URL('../../examples/01-minimal/operator.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** Runs `kopf-ts <args>` until it exits by itself (bounded); returns its exit code and output. */
async function fails(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null | undefined; output: string }> {
  const runner = new KopfRunner(args, {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, ...env },
  }).start();
  try {
    await eventually(
      () => runner.exitCode !== undefined,
      `kopf-ts ${args.join(' ')} to exit; output:\n${runner.output}`,
      30_000,
    );
  } finally {
    await runner.stop();
  }
  return { code: runner.exitCode, output: runner.output };
}

test('an operator file that throws while loading: the file and the stack', async (t) => {
  const file = fixture('throws-at-import.ts');
  const { code, output } = await fails(['run', '--standalone', '-n', cluster.namespace, file]);
  t.is(code, 1);
  t.true(output.includes(`The operator file ${file} failed to load`), output);
  t.regex(
    output,
    /Error: settings\.yaml is missing a region\n\s+at readSettings \(.*throws-at-import\.ts:\d+/,
  );
  t.notRegex(output, /Watching/);
});

test('a missing operator file is named', async (t) => {
  const { code, output } = await fails([
    'run',
    '--standalone',
    '-n',
    cluster.namespace,
    'no-such-handlers.ts',
  ]);
  t.is(code, 1);
  t.regex(output, /The operator file \S*no-such-handlers\.ts does not exist\./);
});

test('a malformed kubeconfig is named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-bad-kubeconfig-'));
  const broken = join(dir, 'kubeconfig');
  writeFileSync(broken, 'apiVersion: v1\nclusters: [ {name: x, cluster: {server: "https://127.0.0.1:1"\n');
  const { code, output } = await fails([
    'run',
    '--standalone',
    '-n',
    cluster.namespace,
    '--kubeconfig',
    broken,
    MINIMAL,
  ]);
  t.is(code, 1);
  t.true(output.includes(`The kubeconfig ${broken} is not valid YAML`), output);
  const list = join(dir, 'list');
  writeFileSync(list, '- a\n- b\n');
  const second = await fails(['run', '--standalone', '-n', cluster.namespace, MINIMAL], { KUBECONFIG: list });
  t.is(second.code, 1);
  t.true(second.output.includes(`The kubeconfig ${list} is not a YAML mapping`), second.output);
});

test('--log-format outside its choices', async (t) => {
  const { code, output } = await fails(['run', '--log-format', 'xml', MINIMAL]);
  t.is(code, 1);
  t.regex(output, /--log-format <format>' argument 'xml' is invalid\. Allowed choices are plain, full, json/);
});

test('--devtools with a value that is not HOST:PORT', async (t) => {
  for (const value of ['localhost:http', 'my host']) {
    const { code, output } = await fails([
      'run',
      '--standalone',
      '-n',
      cluster.namespace,
      `--devtools=${value}`,
      MINIMAL,
    ]);
    t.is(code, 1, value);
    t.regex(output, /--devtools expects HOST:PORT, :PORT, PORT or HOST/, value);
    t.true(output.includes(`got '${value}'`), output);
  }
});

test('TypeScript that type stripping cannot load runs through tsx, in the main thread and on the pool', async (t) => {
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, fixture('needs-tsx.ts')], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  try {
    await op.waitFor(/Watching kopfexamples/, 60_000);
    await cluster.apply(
      '{"apiVersion": "kopf.dev/v1", "kind": "KopfExample", "metadata": {"name": "via-tsx"}, "spec": {}}',
    );
    const status = await eventually(async () => {
      const obj = (await cluster.custom.getNamespacedCustomObject({
        ...KOPFEXAMPLES,
        namespace: cluster.namespace,
        name: 'via-tsx',
      })) as {
        status?: Record<string, any>;
      };
      return obj.status?.create_fn;
    }, `status.create_fn; output:\n${op.output}`);
    t.deepEqual(status, { phase: 'done', greeting: 'hello via-tsx' });
  } finally {
    t.is(await op.stop(), 0);
  }
});

test('KOPF_TS_TYPESCRIPT=native: no fallback, a clear error instead', async (t) => {
  const file = fixture('needs-tsx.ts');
  const { code, output } = await fails(['run', '--standalone', '-n', cluster.namespace, file], {
    KOPF_TS_TYPESCRIPT: 'native',
  });
  t.is(code, 1);
  t.true(output.includes(`The operator file ${file} failed to load`), output);
  t.regex(output, /ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX|ERR_MODULE_NOT_FOUND|enum/);
});
