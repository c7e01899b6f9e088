// `kopf-ts run --devtools` as users run it (a child process, examples/01-minimal) against the real control
// plane: it prints the page's URL with its token (also with -q), and the devtools see the object handled —
// its actor idle, its handler done, its timeline with the handler's run and the patch (both hooks wired).
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject } from '../../src/kube/objects.ts';
import type { ActorDetail, ActorSummary } from '../../src/devtools/index.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test('kopf-ts run --devtools prints a tokened URL and shows the objects it handles', async (t) => {
  const operator = fileURLToPath(new URL('../../examples/01-minimal/operator.ts', import.meta.url));
  // -q: the URL is printed even when info lines are not.
  const op = new KopfRunner(['run', '--standalone', '-q', '-n', cluster.namespace, '--devtools', operator], { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath } }).start();
  const user = kubeClient(cluster);
  try {
    const url = new URL((await op.waitFor(/Devtools: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/))[1]!);
    const token = url.searchParams.get('token')!;
    t.is((await fetch(new URL('/api/actors', url))).status, 403);
    await createObject(user, KEX_RESOURCE, kex('seen', { field: 'v' }), cluster.namespace);
    const api = async <T>(path: string): Promise<T> => (await (await fetch(new URL(`${path}${path.includes('?') ? '&' : '?'}token=${token}`, url))).json()) as T;
    const summary = await eventually(async () => (await api<{ actors: ActorSummary[] }>('/api/actors')).actors.find((a) => a.name === 'seen' && a.state === 'idle'), 'the actor idle', 60_000);
    t.is(summary.namespace, cluster.namespace);
    t.is(summary.resource, 'kopfexamples.v1.kopf.dev');
    const detail = await api<ActorDetail>(`/api/actor?key=${encodeURIComponent(summary.key)}`);
    t.like(detail.handlers[0], { id: 'create_fn', cause: 'create', state: 'done' });
    const lines = detail.timeline.map((l) => `${l.kind}: ${l.text}`).join('\n');
    t.regex(lines, /watch: (ADDED|LISTED) rv=\d+: idle → creating/); // LISTED when created before the watch began
    t.regex(lines, /handler\.end: create_fn succeeded/);
    t.regex(lines, /patch: patch \(done\): .*"status":\{"create_fn":\{"message":"hello world"\}/);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
    await user.close();
  }
});
