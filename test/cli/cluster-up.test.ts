// `kopf-ts cluster up | down | list` as users run them (child processes of bin/kopf-ts.js, real etcd and
// kube-apiserver): an existing kubeconfig is never written over nor deleted, written kubeconfigs are 0600 in
// 0700 directories, two named control planes run at once with their own credentials, `down --name` stops only
// its own, and the leftovers of a crashed `up` are cleaned. Each test gets a temporary XDG_CACHE_HOME (state
// files, default kubeconfigs) while the binaries come from the usual cache through KOPF_TS_CONTROL_PLANE_CACHE.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, privateCacheEnv, processRunning } from '../helpers/cluster.ts';

const BIN = fileURLToPath(new URL('../../bin/kopf-ts.js', import.meta.url));
const KUBECTL = '/usr/bin/kubectl';
const existingCluster = process.env.USE_EXISTING_CLUSTER === 'true';

interface Home {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Starts `kopf-ts cluster up ARGS…`; it is stopped (or killed) when the test ends, whatever happens. */
  up(args: string[]): KopfRunner;
}

/** A temporary XDG_CACHE_HOME for one test; everything started in it is stopped and the directory removed by teardown. */
function home(t: ExecutionContext): Home {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-cluster-up-'));
  const env = privateCacheEnv(dir);
  const runners: KopfRunner[] = [];
  // Should the worker exit before teardown (a timeout), no `up` outlives it: killing one kills its etcd and
  // kube-apiserver too (they run under a parent-death signal).
  const killAll = (): void => {
    for (const runner of runners) {
      const pid = Number(/this process (\d+)/.exec(runner.output)?.[1]);
      if (pid && runner.exitCode === undefined && running(pid)) process.kill(pid, 'SIGKILL');
    }
  };
  process.on('exit', killAll);
  t.teardown(async () => {
    await Promise.all(runners.map((r) => r.stop(5_000)));
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    env,
    up(args) {
      const runner = new KopfRunner(['cluster', 'up', ...args], { env }).start();
      runners.push(runner);
      return runner;
    },
  };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end. */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Runs `kopf-ts ARGS…` to its end. */
const cli = (env: NodeJS.ProcessEnv, args: string[]): Promise<Ran> =>
  run(process.execPath, [BIN, ...args], env);
const kubectl = (args: string[]): Promise<Ran> => run(KUBECTL, args);

interface Listed {
  name: string;
  pid: number;
  server: string;
  kubeconfigPath: string;
  pids: number[];
}

async function list(env: NodeJS.ProcessEnv): Promise<Listed[]> {
  const { code, stdout, stderr } = await cli(env, ['cluster', 'list', '--json']);
  if (code !== 0) throw new Error(`cluster list failed: ${stderr}`);
  return JSON.parse(stdout) as Listed[];
}

const running = processRunning;

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** GET /version with a bearer token (TLS not verified: this checks the credentials, not the CA). */
function versionStatus(server: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}/version`,
      { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const tokenOf = (kubeconfig: string): string =>
  /^\s*token: (\S+)$/m.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? '';

const USER_KUBECONFIG = `apiVersion: v1
kind: Config
# the user's own file: comments and all
clusters:
- name: prod
  cluster: {server: 'https://prod.example:6443'}
users:
- name: me
  user: {token: not-a-real-token}
contexts:
- name: prod
  context: {cluster: prod, user: me}
current-context: prod
`;

test.serial(
  'up refuses an existing kubeconfig and leaves it exactly as it was; down does not touch it',
  async (t) => {
    if (existingCluster) return t.pass('USE_EXISTING_CLUSTER=true: `cluster up` starts nothing');
    const h = home(t);
    const file = join(h.dir, 'config');
    writeFileSync(file, USER_KUBECONFIG);
    chmodSync(file, 0o640);
    const before = statSync(file);

    const refused = await cli(h.env, ['cluster', 'up', '--name', 'x', '--kubeconfig', file]);
    t.is(refused.code, 1);
    t.regex(
      refused.stderr,
      /config already exists; `cluster up` never overwrites \(nor deletes\) a file it did not write/,
    );
    t.regex(refused.stderr, /export KUBECONFIG=NEW_FILE:.*config/);
    t.deepEqual(await list(h.env), [], 'nothing was started and the name was released');
    t.false(existsSync(join(h.dir, 'kopf-ts', 'clusters', 'x.json')));

    const down = await cli(h.env, ['cluster', 'down', '--name', 'x']);
    t.is(down.code, 0);
    t.regex(down.stdout, /No control plane named "x" is up/);
    t.is(readFileSync(file, 'utf8'), USER_KUBECONFIG, 'content preserved byte for byte');
    const after = statSync(file);
    t.is(mode(file), '640', 'mode untouched');
    t.is(after.ino, before.ino, 'the same file, not a rewritten one');
    t.is(after.mtimeMs, before.mtimeMs);
  },
);

test.serial(
  'two named planes at once, 0600 kubeconfigs; down --name a stops only a; a crashed one is cleaned',
  async (t) => {
    t.timeout(120_000);
    if (existingCluster) return t.pass('USE_EXISTING_CLUSTER=true: `cluster up` starts nothing');
    const h = home(t);
    const kcA = join(h.dir, 'kopf-ts', 'kubeconfig-a'); // a's default path
    const kcB = join(h.dir, 'new', 'dir', 'kc'); // b's, in directories that do not exist yet
    const a = h.up(['--name', 'a']);
    const b = h.up(['--name', 'b', '--kubeconfig', kcB]);
    await Promise.all([a.waitFor('Press Ctrl-C', 60_000), b.waitFor('Press Ctrl-C', 60_000)]);
    t.regex(a.output, new RegExp(`export KUBECONFIG=${kcA}\\n`));

    // (b) private files: kubeconfigs and state files 0600, directories the command created 0700.
    for (const path of [
      kcA,
      kcB,
      join(h.dir, 'kopf-ts', 'clusters', 'a.json'),
      join(h.dir, 'kopf-ts', 'clusters', 'b.json'),
    ]) {
      t.is(mode(path), '600', path);
    }
    for (const path of [
      join(h.dir, 'kopf-ts'),
      join(h.dir, 'kopf-ts', 'clusters'),
      join(h.dir, 'new'),
      join(h.dir, 'new', 'dir'),
    ]) {
      t.is(mode(path), '700', path);
    }

    // (c) both answer, each with its own credentials, on its own port.
    const planes = await list(h.env);
    t.deepEqual(
      planes.map((p) => [p.name, p.kubeconfigPath]),
      [
        ['a', kcA],
        ['b', kcB],
      ],
    );
    const [pa, pb] = planes as [Listed, Listed];
    t.not(pa.server, pb.server);
    for (const kc of [kcA, kcB]) {
      const got = await kubectl(['--kubeconfig', kc, 'get', 'ns', '-o', 'name']);
      t.is(got.code, 0, got.stderr);
      t.regex(got.stdout, /^namespace\/default$/m);
    }
    t.is(await versionStatus(pa.server, tokenOf(kcA)), 200);
    t.is(await versionStatus(pb.server, tokenOf(kcA)), 401, "a's token means nothing to b");

    // A second `up` of a live name refuses and leaves the first alone.
    const again = await cli(h.env, ['cluster', 'up', '--name', 'a']);
    t.is(again.code, 1);
    t.regex(
      again.stderr,
      new RegExp(`a control plane named "a" is already up \\(pid ${pa.pid}, at ${pa.server}`),
    );
    t.is(a.exitCode, undefined, 'the first `up --name a` still runs');

    // (d) down --name a: a's `up` and its etcd and kube-apiserver are gone, its kubeconfig too; b still answers.
    const down = await cli(h.env, ['cluster', 'down', '--name', 'a']);
    t.is(down.code, 0, down.stderr);
    t.regex(down.stdout, /Stopped the control plane "a"/);
    await eventually(() => a.exitCode !== undefined, '`up --name a` to exit');
    t.is(a.exitCode, 0, a.output);
    t.deepEqual([pa.pid, ...pa.pids].filter(running), []);
    t.false(existsSync(kcA));
    t.true(pb.pids.every(running));
    t.is((await kubectl(['--kubeconfig', kcB, 'get', 'ns', '-o', 'name'])).code, 0);
    t.deepEqual(
      (await list(h.env)).map((p) => p.name),
      ['b'],
    );

    // A crashed `up` (SIGKILL): its children die with it; the next command cleans its state and its kubeconfig.
    await b.kill();
    await eventually(() => !pb.pids.some(running), "b's etcd and kube-apiserver to exit", 30_000);
    t.true(existsSync(kcB), 'left behind by the crash');
    const cleaned = await cli(h.env, ['cluster', 'list']);
    t.regex(cleaned.stderr, /cleaned the state of "b"/);
    t.regex(cleaned.stdout, /No control plane is up/);
    t.false(existsSync(kcB), 'the kubeconfig b wrote is removed with its state');

    // The name and the path are free again; then b is stopped the normal way.
    const b2 = h.up(['--name', 'b', '--kubeconfig', kcB]);
    await b2.waitFor('Press Ctrl-C', 60_000);
    const [pb2] = (await list(h.env)) as [Listed];
    t.is((await cli(h.env, ['cluster', 'down', '--name', 'b'])).code, 0);
    await eventually(() => b2.exitCode !== undefined, '`up --name b` to exit');
    t.is(b2.exitCode, 0, b2.output);
    t.deepEqual([pb2.pid, ...pb2.pids].filter(running), []);
    t.false(existsSync(kcB));
    t.deepEqual(await list(h.env), []);
  },
);
