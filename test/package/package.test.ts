// The package as a user gets it: `npm pack` of this repository, installed into a fresh project (no "type" in its
// package.json), then a .ts and a .js operator run with `npx kopf-ts run` from that project and with the bin's
// path from another working directory, on Node 22 and on Node 24, each with an async and a sync (pool) handler
// until their results are in status; an operator embedded in a plain .mjs program; `tsc --strict` of a typed
// operator against the installed .d.ts files; and the bad inputs of the CLI. Real control plane throughout.
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, KOPFEXAMPLES, testCluster, type TestCluster } from '../helpers/cluster.ts';
import { freshProject, nodeDir, packRepository, userEnv, type Packed } from '../helpers/package.ts';

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../fixtures/package/', import.meta.url));
const TYPES = fileURLToPath(new URL('../types/', import.meta.url));
const NODE_24 = '24.21.0';

let cluster: TestCluster;
let packed: Packed;
let project: string;
let elsewhere: string;
const nodes = new Map<string, string>();
const versions = new Map([
  ['22', process.version],
  ['24', `v${NODE_24}`],
]);

test.before(async (t) => {
  t.timeout(300_000);
  cluster = await testCluster(import.meta.filename);
  packed = await packRepository();
  const installed = await freshProject(packed.tarball);
  project = installed.dir;
  t.log(
    `packed: ${(packed.size / 1024).toFixed(0)} KiB (${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.files.length} files); npm install into a fresh project: ${(installed.installMs / 1000).toFixed(1)} s`,
  );
  for (const file of ['handlers.ts', 'handlers.js', 'embed.mjs'])
    cpSync(join(FIXTURES, file), join(project, file));
  // The type tests of test/types/ (a typed operator; wrong uses that must not compile), against the installed .d.ts.
  for (const file of ['typed-operator.ts', 'type-errors.ts']) cpSync(join(TYPES, file), join(project, file));
  elsewhere = mkdtempSync(join(tmpdir(), 'kopf-ts-elsewhere-'));
  nodes.set('22', await nodeDir(process.versions.node));
  nodes.set('24', await nodeDir(NODE_24));
});

test.after.always(async () => {
  await cluster?.close();
});

test('the tarball ships the compiled package and nothing of the repository’s own', (t) => {
  for (const needed of [
    'LICENSE',
    'bin/kopf-ts.js',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/src/testing.js',
    'dist/src/devtools/index.js',
    'dist/src/execution/worker.js',
    'dist/src/devtools/page/app.js',
    'tools/control-plane/build.sh',
    'tools/control-plane/go.sum',
    'peering.yaml', // `kopf-ts peering-crds` prints it
  ]) {
    t.true(packed.files.includes(needed), `${needed} is packed`);
  }
  const stray = packed.files.filter(
    (f) => /^(test|bench|\.ci|src|examples\/\d+-(?!minimal)|docs)\//.test(f) || f.endsWith('.test.ts'),
  );
  t.deepEqual(stray, []);
});

/** Runs one operator until an object's two results are in status, then stops it with Ctrl-C; returns the status. */
async function handledBy(runner: KopfRunner, name: string, viaNpx = false): Promise<Record<string, any>> {
  let status: Record<string, any> | null = null;
  let failure: unknown = null;
  try {
    await runner.waitFor(/Watching kopfexamples/, 60_000);
    await cluster.apply(
      `{"apiVersion": "kopf.dev/v1", "kind": "KopfExample", "metadata": {"name": "${name}"}, "spec": {"field": "${name}"}}`,
    );
    status = await eventually(
      async () => {
        const obj = (await cluster.custom.getNamespacedCustomObject({
          ...KOPFEXAMPLES,
          namespace: cluster.namespace,
          name,
        })) as { status?: Record<string, any> };
        return obj.status?.create_async && obj.status?.create_sync ? obj.status : null;
      },
      `${name}'s results in status; output:\n${runner.output}`,
      60_000,
    );
  } catch (err) {
    failure = err;
  }
  const code = await runner.stop(20_000, 'SIGINT'); // Ctrl-C, to the whole process group (npx included)
  if (failure) throw failure;
  if (!/The operator has stopped\./.test(runner.output))
    throw new Error(`the operator did not stop cleanly (exit ${code}); output:\n${runner.output}`);
  if (code !== 0 && !viaNpx) throw new Error(`the operator exited with ${code}; output:\n${runner.output}`);
  return status!;
}

for (const major of ['22', '24']) {
  for (const file of ['handlers.ts', 'handlers.js']) {
    for (const where of ['project', 'elsewhere'] as const) {
      test.serial(
        `Node ${major}: ${file} with ${where === 'project' ? '`npx kopf-ts run` in the project' : "the bin's path from another directory"}`,
        async (t) => {
          const dir = nodes.get(major)!;
          const name = `n${major}-${file.replace('.', '-')}-${where}`;
          const command =
            where === 'project'
              ? ['npx', '--no-install', 'kopf-ts']
              : [join(project, 'node_modules', '.bin', 'kopf-ts')];
          const runner = new KopfRunner(
            [
              'run',
              '--standalone',
              '-n',
              cluster.namespace,
              where === 'project' ? file : join(project, file),
            ],
            {
              command,
              cwd: where === 'project' ? project : elsewhere,
              env: userEnv(dir, { KUBECONFIG: cluster.kubeconfigPath }),
              echo: process.env.KOPF_TS_TEST_ECHO === '1',
            },
          ).start();
          const status = await handledBy(runner, name, where === 'project');
          t.like(status.create_async, { via: 'async', name, threadId: 0, node: versions.get(major) });
          t.like(status.create_sync, { via: 'sync', field: name });
          t.true(status.create_sync.threadId > 0, 'the plain function ran on a pool thread');
          t.notRegex(runner.output, /tsx|esbuild|Cannot find package|ERR_/);
        },
      );
    }
  }
  test.serial(`Node ${major}: an operator embedded in a plain .mjs program`, async (t) => {
    const dir = nodes.get(major)!;
    const runner = new KopfRunner([join(project, 'embed.mjs')], {
      command: [join(dir, 'node')],
      cwd: elsewhere,
      env: userEnv(dir, { KUBECONFIG: cluster.kubeconfigPath, NAMESPACE: cluster.namespace }),
    }).start();
    const status = await handledBy(runner, `n${major}-embedded`);
    t.like(status.create_async, { via: 'async', threadId: 0, node: versions.get(major) });
    t.true(status.create_sync.threadId > 0);
    t.regex(runner.output, /embedded operator stopped/);
  });
}

test.serial(
  'a typed operator passes `tsc --strict` against the installed package, and wrong uses fail',
  async (t) => {
    t.timeout(240_000);
    const env = userEnv(nodes.get('22')!);
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', 'typescript@6.0.3', '@types/node@22.20.5'],
      { cwd: project, env },
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['typed-operator.ts', 'type-errors.ts', 'handlers.ts'],
      }),
    );
    const result = await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
      cwd: project,
      env,
    }).catch((err: { stdout?: string; code?: number }) => err);
    t.is((result as { stdout?: string }).stdout ?? '', '', 'tsc reports nothing');
    t.falsy((result as { code?: number }).code, 'tsc exits 0');
  },
);
