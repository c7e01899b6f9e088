// `kopf-ts dev` as a developer runs it (a child process of bin/kopf-ts.js, from the sources; real etcd and
// kube-apiserver): with no `cluster up` running it starts a control plane of its own, applies the CRD and the
// object (the CRD is waited for in between), handles the object, and on Ctrl-C stops the operator and then that
// plane, whose processes are gone; with `cluster up --name x` running, `dev --name x` uses that plane and
// leaves it running. Each test gets a temporary XDG_CACHE_HOME (state files of `cluster up`) while the
// binaries come from the usual cache through KOPF_TS_CONTROL_PLANE_CACHE.
import test, { type ExecutionContext } from 'ava';
import * as k8s from '@kubernetes/client-node';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, privateCacheEnv, processRunning, rawRequest } from '../helpers/cluster.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const DEV_ARGS = [
  'dev',
  join(EXAMPLES, '01-minimal', 'operator.ts'),
  '--apply',
  join(EXAMPLES, 'crd.yaml'),
  '--apply',
  join(EXAMPLES, 'obj.yaml'),
  '-n',
  'dev-test',
];
const existingCluster = process.env.USE_EXISTING_CLUSTER === 'true';

/** An environment with a temporary XDG_CACHE_HOME; every runner started in it is stopped by teardown. */
function home(t: ExecutionContext): { env: NodeJS.ProcessEnv; start(args: string[]): KopfRunner } {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-dev-'));
  const env = privateCacheEnv(dir);
  const runners: KopfRunner[] = [];
  t.teardown(async () => {
    await Promise.all(runners.filter((r) => r.exitCode === undefined).map((r) => r.stop(10_000)));
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    env,
    start(args) {
      const runner = new KopfRunner(args, { env, echo: process.env.KOPF_TS_TEST_ECHO === '1' }).start();
      runners.push(runner);
      return runner;
    },
  };
}

/** status.create_fn of kopf-example-1 in dev-test, read with another client (polled until written). */
async function createResult(kubeconfigPath: string): Promise<unknown> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return await eventually(async () => {
    const res = await rawRequest(
      kc,
      'GET',
      '/apis/kopf.dev/v1/namespaces/dev-test/kopfexamples/kopf-example-1',
    );
    return res.json?.status?.create_fn;
  }, 'status.create_fn of kopf-example-1');
}

test.serial('with no cluster up, dev starts a plane of its own and stops it on Ctrl-C', async (t) => {
  t.timeout(120_000);
  if (existingCluster) return t.pass('USE_EXISTING_CLUSTER=true: dev starts no plane');
  const h = home(t);
  const started = Date.now();
  const dev = h.start(DEV_ARGS);
  const [, etcd, apiserver, kubeconfig] = await dev.waitFor(
    /pids: etcd (\d+), kube-apiserver (\d+)\); kubeconfig (\S+);/,
    60_000,
  );
  t.regex(dev.output, /No control plane "default" is up .*starting one for this session/);
  await dev.waitFor(/Applied .*crd\.yaml: customresourcedefinition\/kopfexamples\.kopf\.dev\n/);
  await dev.waitFor(/Applied .*obj\.yaml: kopfexample\/kopf-example-1\n/);
  await dev.waitFor("[dev-test/kopf-example-1] Handler 'create_fn' succeeded.");
  t.deepEqual(await createResult(kubeconfig!), { message: 'hello world' });
  const pids = [Number(etcd), Number(apiserver)];
  t.true(pids.every(processRunning), 'etcd and kube-apiserver run');
  t.log(`dev: plane up, CRD and object applied and handled in ${Date.now() - started} ms`);

  t.is(await dev.stop(30_000, 'SIGINT'), 0, dev.output);
  t.regex(
    dev.output,
    /The operator has stopped\.\nStopping the control plane of this session…\nThe control plane is stopped\./,
  );
  t.deepEqual(pids.filter(processRunning), [], 'no process of the plane is left');
  t.false(existsSync(kubeconfig!), 'its temporary kubeconfig is removed with it');
});

test.serial('with `cluster up --name x` running, dev --name x uses it and leaves it running', async (t) => {
  t.timeout(120_000);
  if (existingCluster) return t.pass('USE_EXISTING_CLUSTER=true: `cluster up` starts nothing');
  const h = home(t);
  const up = h.start(['cluster', 'up', '--name', 'x']);
  const [, etcd, apiserver] = await up.waitFor(/pids: etcd (\d+), kube-apiserver (\d+);/, 60_000);
  const [, kubeconfig] = await up.waitFor(/^kubeconfig: (\S+)$/m);

  const dev = h.start([...DEV_ARGS, '--name', 'x']);
  await dev.waitFor("[dev-test/kopf-example-1] Handler 'create_fn' succeeded.", 60_000);
  t.regex(
    dev.output,
    new RegExp(
      `Using the control plane "x" of \`kopf-ts cluster up\` at https://127\\.0\\.0\\.1:\\d+ \\(kubeconfig ${kubeconfig}\\)`,
    ),
  );
  t.notRegex(dev.output, /starting one for this session/);
  t.deepEqual(await createResult(kubeconfig!), { message: 'hello world' });

  t.is(await dev.stop(30_000, 'SIGINT'), 0, dev.output);
  t.regex(dev.output, /The operator has stopped\./);
  t.notRegex(dev.output, /Stopping the control plane/);
  t.is(up.exitCode, undefined, '`cluster up` still runs');
  t.true([Number(etcd), Number(apiserver)].every(processRunning), 'its etcd and kube-apiserver too');
  t.deepEqual(await createResult(kubeconfig!), { message: 'hello world' }, 'and serve the handled object');
  t.is(await up.stop(), 0);
});
