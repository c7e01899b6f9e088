// Tests of the local control plane itself (src/cluster): it is a real v1.36.3 kube-apiserver, the example
// CRD is served with its status subresource and short names, and a plane started here stops without orphans.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCluster, KOPFEXAMPLES, type TestCluster } from '../helpers/cluster.ts';
import { startControlPlane, locateBinaries, KUBERNETES_VERSION } from '../../src/cluster/index.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('the server reports the pinned Kubernetes version', async (t) => {
  const version = await cluster.kc.makeApiClient((await import('@kubernetes/client-node')).VersionApi).getCode();
  t.is(version.gitVersion, KUBERNETES_VERSION);
});

test('the example CRD is served with status subresource and short names', async (t) => {
  const k8s = await import('@kubernetes/client-node');
  const resources = await cluster.kc.makeApiClient(k8s.CustomObjectsApi).getAPIResources({ group: 'kopf.dev', version: 'v1' });
  const main = resources.resources.find((r) => r.name === 'kopfexamples');
  t.truthy(main);
  t.true(main!.namespaced);
  t.deepEqual([...(main!.shortNames ?? [])].sort(), ['kex', 'kopfex', 'kopfexes']);
  t.truthy(resources.resources.find((r) => r.name === 'kopfexamples/status'));
});

test('objects are created, their status replaced through the subresource, and read back', async (t) => {
  const { custom, namespace } = cluster;
  const created = await custom.createNamespacedCustomObject({
    ...KOPFEXAMPLES,
    namespace,
    body: { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'plane-1' }, spec: { field: 'x' } },
  });
  t.truthy(created.metadata.uid);
  await custom.replaceNamespacedCustomObjectStatus({
    ...KOPFEXAMPLES,
    namespace,
    name: 'plane-1',
    body: { ...created, status: { ok: true } },
  });
  const read = await custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name: 'plane-1' });
  t.deepEqual(read.status, { ok: true });
  t.deepEqual(read.spec, { field: 'x' });
});

test('a plane of its own starts from cached binaries and stops with no process left', async (t) => {
  t.timeout(120_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('existing cluster: nothing to start');
  t.truthy(locateBinaries(), 'the run-wide plane already found binaries, so they are cached');
  const plane = await startControlPlane();
  t.log(`second plane ready in ${plane.startedInMs} ms`);
  t.true(existsSync(plane.kubeconfigPath));
  t.is(statSync(plane.kubeconfigPath).mode & 0o777, 0o600, 'the kubeconfig holds the admin token: 0600');
  t.is(statSync(plane.dir).mode & 0o777, 0o700);
  t.is(plane.pids.length, 2);
  for (const pid of plane.pids) t.notThrows(() => process.kill(pid, 0));
  await plane.stop();
  for (const pid of plane.pids) t.throws(() => process.kill(pid, 0), undefined, `pid ${pid} still alive`);
  t.false(existsSync(plane.dir));
});

test('a kubeconfigPath is never written over, and stop() removes only the file it wrote', async (t) => {
  t.timeout(120_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('existing cluster: nothing to start');
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-kubeconfig-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mine = join(dir, 'mine');
  writeFileSync(mine, 'the user\'s own\n');
  await t.throwsAsync(startControlPlane({ kubeconfigPath: mine }), { message: /mine already exists; the control plane never overwrites/ });
  t.is(readFileSync(mine, 'utf8'), 'the user\'s own\n');

  const path = join(dir, 'plane');
  const plane = await startControlPlane({ kubeconfigPath: path });
  t.teardown(() => plane.stop());
  t.is(statSync(path).mode & 0o777, 0o600);
  // Something else puts its own file there meanwhile (rm + write, as an editor's save does): stop() leaves it.
  rmSync(path);
  writeFileSync(path, 'replaced\n');
  await plane.stop();
  t.is(readFileSync(path, 'utf8'), 'replaced\n');
});

test('children die with their parent even when it is SIGKILLed', async (t) => {
  t.timeout(120_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('existing cluster: nothing to start');
  const script = `
    import { startControlPlane } from ${JSON.stringify(new URL('../../src/cluster/index.ts', import.meta.url).href)};
    const p = await startControlPlane();
    console.log(JSON.stringify(p.pids));
    setInterval(() => {}, 1000);
  `;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('['));
      if (line) resolve(JSON.parse(line) as number[]);
    });
    child.on('exit', () => reject(new Error('the parent exited before starting the plane')));
  });
  // Its directory, found while it lives (a plane started meanwhile by another test may sweep it at any time later).
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith('kopf-ts-control-plane-')).map((d) => join(tmpdir(), d));
  const orphanDir = dirs.find((d) => existsSync(join(d, 'owner.pid')) && readFileSync(join(d, 'owner.pid'), 'utf8') === String(child.pid));
  t.truthy(orphanDir, 'the parent has its directory');
  child.kill('SIGKILL');
  const deadline = Date.now() + 30_000;
  const alive = () => pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  while (alive().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const left = alive();
  t.deepEqual(left, [], left.length ? `orphans: ${execFileSync('ps', ['-o', 'pid,cmd', '-p', left.join(',')], { encoding: 'utf8' })}` : '');
  // The killed parent left its directory; the next start sweeps it.
  const next = await startControlPlane();
  await next.stop();
  t.false(existsSync(orphanDir!), 'swept by the next start');
});
