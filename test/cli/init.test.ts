// `npx kopf-ts init` as a new user meets it: the packed package installed into a scratch project, its bin
// scaffolds an operator project, which installs the same tarball; then the project's own scripts work on a real
// control plane: `npm test` (Node's test runner with kopf-ts/testing) passes on Node 22 and on Node 24,
// `npm run typecheck` passes, `npm run rbac` against a cluster with the CRD prints exactly the rbac.yaml it
// shipped with, and `npm start` (kopf-ts dev) handles obj.yaml and stops cleanly on Ctrl-C. Init into a
// non-empty directory refuses and changes nothing.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { KopfRunner } from '../../src/testing.ts';
import { privateCacheEnv, processRunning, testCluster, type TestCluster } from '../helpers/cluster.ts';
import { freshProject, nodeDir, packRepository, pathWith } from '../helpers/package.ts';

const run = promisify(execFile);
const NODE_24 = '24.21.0';
const existingCluster = process.env.USE_EXISTING_CLUSTER === 'true';

let cluster: TestCluster;
let tarball: string;
let initBin: string;
let work: string;
let project: string;
/** The user's environment (Node 22, no source condition) with a private XDG_CACHE_HOME: no `cluster up` is seen. */
let env: NodeJS.ProcessEnv;
const timings: string[] = [];

async function timed<T>(what: string, action: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await action();
  } finally {
    timings.push(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Runs a command to its end; resolves with its exit code and output (never throws on a non-zero exit). */
async function sh(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

test.before(async (t) => {
  t.timeout(300_000);
  cluster = await testCluster(import.meta.filename);
  work = mkdtempSync(join(tmpdir(), 'kopf-ts-init-'));
  env = { ...privateCacheEnv(join(work, 'cache')), PATH: pathWith(dirname(process.execPath)) };
  delete env.NODE_OPTIONS;
  const packed = await timed('npm pack', packRepository);
  tarball = packed.tarball;
  const scratch = await timed('npm install of the tarball into a scratch project', () =>
    freshProject(tarball),
  );
  initBin = join(scratch.dir, 'node_modules', '.bin', 'kopf-ts');
  project = join(work, 'my-operator');
  const init = await timed('kopf-ts init', () => sh(initBin, ['init', 'my-operator'], { cwd: work, env }));
  if (init.code !== 0) throw new Error(`kopf-ts init failed:\n${init.output}`);
  t.log(init.output);
  const install = await timed('npm install in the new project', () =>
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project, env }),
  );
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.output}`);
});

test.after.always(async (t) => {
  t.log(timings.join('; '));
  await cluster?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test.serial('init writes the project: package.json made for it, the template files, next steps', (t) => {
  t.deepEqual(readdirSync(project).sort(), [
    '.dockerignore',
    '.gitignore',
    'Dockerfile',
    'README.md',
    'crd.yaml',
    'handlers.ts',
    'node_modules',
    'obj.yaml',
    'package-lock.json',
    'package.json',
    'rbac.yaml',
    'test',
    'tsconfig.json',
  ]);
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  t.like(pkg, { name: 'my-operator', type: 'module', private: true });
  t.regex(pkg.dependencies['kopf-ts'], /^file:/, 'npm install <tarball> replaced the ^version');
  t.like(pkg.scripts, {
    start: 'kopf-ts dev handlers.ts --apply crd.yaml --apply obj.yaml',
    test: 'node --test test/operator.test.ts',
    typecheck: 'tsc --noEmit',
  });
  t.truthy(pkg.devDependencies.typescript && pkg.devDependencies['@types/node']);
  t.regex(readFileSync(join(project, 'README.md'), 'utf8'), /^# my-operator\n/);
});

for (const major of ['22', '24']) {
  test.serial(`Node ${major}: the project's npm test passes`, async (t) => {
    t.timeout(180_000);
    if (existingCluster)
      return t.pass('USE_EXISTING_CLUSTER=true: the project test reads status with the plane token');
    const dir = major === '22' ? dirname(process.execPath) : await nodeDir(NODE_24);
    const result = await timed(`npm test on Node ${major}`, () =>
      sh('npm', ['test'], { cwd: project, env: { ...env, PATH: `${dir}:${env.PATH ?? ''}` } }),
    );
    t.is(result.code, 0, result.output);
    t.regex(result.output, /[#ℹ] pass 1\n[#ℹ] fail 0/); // TAP (Node 22 in a pipe) or the spec reporter (Node 24)
  });
}

test.serial("the project's npm run typecheck passes", async (t) => {
  t.timeout(120_000);
  const result = await timed('npm run typecheck', () =>
    sh('npm', ['run', 'typecheck'], { cwd: project, env }),
  );
  t.is(result.code, 0, result.output);
});

test.serial('rbac.yaml is exactly what `npm run rbac` prints with the CRD in the cluster', async (t) => {
  const shipped = readFileSync(join(project, 'rbac.yaml'), 'utf8');
  t.regex(shipped, /^# RBAC of the kopf-ts operator "my-operator" serving the whole cluster/);
  const result = await sh('npm', ['run', 'rbac'], {
    cwd: project,
    env: { ...env, KUBECONFIG: cluster.kubeconfigPath },
  });
  t.is(result.code, 0, result.output);
  t.is(readFileSync(join(project, 'rbac.yaml'), 'utf8'), shipped);
});

test.serial(
  'npm start runs kopf-ts dev: obj.yaml is handled; Ctrl-C stops the operator and its plane',
  async (t) => {
    t.timeout(120_000);
    if (existingCluster) return t.pass('USE_EXISTING_CLUSTER=true: dev starts no plane');
    const started = Date.now();
    const runner = new KopfRunner([], {
      command: ['npm', 'start'],
      cwd: project,
      env,
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    }).start();
    let pids: number[];
    try {
      const [, etcd, apiserver] = await runner.waitFor(/pids: etcd (\d+), kube-apiserver (\d+)\)/, 60_000);
      pids = [Number(etcd), Number(apiserver)];
      await runner.waitFor("[default/kopf-example-1] Handler 'create_fn' succeeded.", 60_000);
      timings.push(`npm start until obj.yaml is handled: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await runner.stop(30_000, 'SIGINT'); // Ctrl-C, to the whole process group (npm included)
    }
    t.regex(
      runner.output,
      /The operator has stopped\.\nStopping the control plane of this session…\nThe control plane is stopped\./,
    );
    t.deepEqual(pids.filter(processRunning), [], 'the plane of the session is gone');
    t.notRegex(runner.output, /tsx|Cannot find package|ERR_/);
  },
);

test.serial('init into a non-empty directory refuses and changes nothing', async (t) => {
  const before = readFileSync(join(project, 'package.json'), 'utf8');
  const result = await sh(initBin, ['init', 'my-operator'], { cwd: work, env });
  t.is(result.code, 1);
  t.regex(
    result.output,
    /kopf-ts: my-operator is not empty \(.*\); init a new or empty directory, or pass --force/,
  );
  t.is(readFileSync(join(project, 'package.json'), 'utf8'), before);
});
