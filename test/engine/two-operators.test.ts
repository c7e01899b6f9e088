// Two operators embedded in one process (a program run as a child process, test/fixtures/embedding), against
// the real control plane: each has its own registry with a plain (pool) handler of the same id, its own
// namespace, its own pool and Event queue. Both handle their objects, each with its own handler, on a worker
// thread, and post their Events; after one is stopped, the other still handles a new object on its pool and
// posts its Event, while the stopped one's namespace is left alone.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually, KOPFEXAMPLES, testCluster, type TestCluster } from '../helpers/cluster.ts';

const program = fileURLToPath(new URL('../fixtures/embedding/two-operators.ts', import.meta.url));

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

interface Result {
  by: string;
  worker: boolean;
}

test('two embedded operators with their own registries and pools; stopping one leaves the other serving', async (t) => {
  t.timeout(180_000);
  const nsA = cluster.namespace;
  const nsB = `${cluster.namespace}-b`;
  await cluster.core.createNamespace({ body: { metadata: { name: nsB } } });
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', program], {
    env: {
      ...process.env,
      KUBECONFIG: cluster.kubeconfigPath,
      NAMESPACE_A: nsA,
      NAMESPACE_B: nsB,
      FORCE_COLOR: '0',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const create = (ns: string, name: string) =>
    cluster.custom.createNamespacedCustomObject({
      ...KOPFEXAMPLES,
      namespace: ns,
      body: { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name }, spec: { field: name } },
    });
  const resultOf = async (ns: string, name: string): Promise<Result | undefined> => {
    const obj = (await cluster.custom.getNamespacedCustomObject({
      ...KOPFEXAMPLES,
      namespace: ns,
      name,
    })) as {
      status?: { create_fn?: Result };
    };
    return obj.status?.create_fn;
  };
  const handled = (ns: string, name: string) =>
    eventually(() => resultOf(ns, name), `${ns}/${name} handled`, 60_000);
  const eventFor = (ns: string, name: string) =>
    eventually(
      async () =>
        (await cluster.core.listNamespacedEvent({ namespace: ns })).items.find(
          (e) => e.reason === 'Handled' && e.involvedObject.name === name,
        ),
      `the Event of ${ns}/${name}`,
      60_000,
    );
  try {
    await eventually(() => /READY a/.test(output) && /READY b/.test(output), 'both operators ready', 60_000);
    await create(nsA, 'first-a');
    await create(nsB, 'first-b');
    t.like(await handled(nsA, 'first-a'), { by: 'a', worker: true });
    t.like(await handled(nsB, 'first-b'), { by: 'b', worker: true });
    t.is((await eventFor(nsA, 'first-a')).message, 'first-a by a');
    t.is((await eventFor(nsB, 'first-b')).message, 'first-b by b');

    child.stdin!.write('stop a\n');
    await eventually(() => /STOPPED a/.test(output), 'operator a stopped', 60_000);
    await create(nsB, 'second-b');
    await create(nsA, 'second-a');
    t.like(await handled(nsB, 'second-b'), { by: 'b', worker: true }, output);
    t.is((await eventFor(nsB, 'second-b')).message, 'second-b by b');
    // The stopped operator's namespace is not served by the other one (nor by a leftover of its own).
    t.is(await resultOf(nsA, 'second-a'), undefined);

    child.stdin!.end('stop b\n');
    t.is(await exited, 0, output);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await cluster.core.deleteNamespace({ name: nsB }).catch(() => {});
  }
  t.notRegex(output, /Unhandled|uncaught|not registered|work only while an operator runs/i, output);
});
