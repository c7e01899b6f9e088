// Sensitive resources against the real control plane: a Secret handled by `kopf-ts run -v --devtools` (a child
// process) with create and update handlers. No value of its `data` may appear in its annotations (the diff-base
// keeps digests), in the operator's debug log, or in the devtools' timeline as the page fetches it; yet a
// changed key is still a change, and the update handler's `diff` names exactly that key.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import type { ActorDetail, ActorSummary } from '../../src/devtools/index.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const USER = 'admin-user-7f3a';
const FIRST = 'first-password-q8Zk2';
const SECOND = 'second-password-Lp4w9';
/** Every form in which a value could leak: the base64 the API holds, and the plain text. */
const VALUES = [USER, FIRST, SECOND].flatMap((v) => [v, b64(v)]);

function leaks(text: string): string[] {
  return VALUES.filter((v) => text.includes(v));
}

test('a Secret: digests in the diff-base, no values in the -v log or the devtools, the changed key in diff', async (t) => {
  const operator = fileURLToPath(new URL('../fixtures/engine/secrets.ts', import.meta.url));
  const ns = cluster.namespace;
  const op = new KopfRunner(['run', '--standalone', '-v', '-n', ns, '--devtools', operator], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  try {
    const url = new URL(
      (await op.waitFor(/Devtools: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/, 60_000))[1]!,
    );
    const token = url.searchParams.get('token')!;
    const api = async <T>(path: string): Promise<T> =>
      (await (
        await fetch(new URL(`${path}${path.includes('?') ? '&' : '?'}token=${token}`, url))
      ).json()) as T;
    await op.waitFor(/Watching secrets/, 60_000);

    await cluster.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'creds' }, data: { username: b64(USER), password: b64(FIRST) } },
    });
    await op.waitFor(/Creation is processed: 1 succeeded; 0 failed\./, 60_000);
    const annotation = (await eventually(async () => {
      const secret = await cluster.core.readNamespacedSecret({ name: 'creds', namespace: ns });
      return secret.metadata?.annotations?.['kopf.zalando.org/last-handled-configuration'];
    }, 'the diff-base annotation')) as string;
    const stored = JSON.parse(annotation) as { data: Record<string, string> };
    t.deepEqual(Object.keys(stored.data).sort(), ['password', 'username'], annotation);
    for (const digest of Object.values(stored.data)) t.regex(digest, /^hmac-sha256:[0-9a-f]{64}$/);

    // Only the password changes: an update, whose diff names data.password and nothing else.
    await cluster.core.replaceNamespacedSecret({
      name: 'creds',
      namespace: ns,
      body: {
        metadata: {
          name: 'creds',
          annotations:
            (await cluster.core.readNamespacedSecret({ name: 'creds', namespace: ns })).metadata
              ?.annotations ?? {},
        },
        data: { username: b64(USER), password: b64(SECOND) },
      },
    });
    await op.waitFor(/Changed keys: data\.password$/m, 60_000);
    await op.waitFor(/Updating is processed: 1 succeeded; 0 failed\./, 60_000);
    const given = (await op.waitFor(/The diff as given: (.*)$/m))[1]!;
    const diff = JSON.parse(given) as [string, string[], string, string][];
    t.is(diff.length, 1, given);
    t.deepEqual(diff[0]!.slice(0, 2), ['change', ['data', 'password']]);
    t.regex(diff[0]![2], /^hmac-sha256:/, 'the old value is a digest');
    t.regex(diff[0]![3], /^hmac-sha256:/, 'the new value is a digest');
    t.not(diff[0]![2], diff[0]![3]);

    const after = await eventually(async () => {
      const secret = await cluster.core.readNamespacedSecret({ name: 'creds', namespace: ns });
      const value = secret.metadata?.annotations?.['kopf.zalando.org/last-handled-configuration'];
      return value && value !== annotation ? secret : null;
    }, 'the diff-base rewritten after the update');
    const annotations = JSON.stringify(after.metadata?.annotations ?? {});
    t.deepEqual(leaks(annotations), [], annotations);
    t.is(
      JSON.parse(after.metadata!.annotations!['kopf.zalando.org/last-handled-configuration']!).data.username,
      stored.data.username,
      'an unchanged key keeps its digest',
    );

    // The devtools, through the HTTP API the page uses: the actor, its handlers and its timeline.
    const summary = await eventually(
      async () =>
        (await api<{ actors: ActorSummary[] }>('/api/actors')).actors.find(
          (a) => a.name === 'creds' && a.state === 'idle',
        ),
      'the Secret idle in the devtools',
      60_000,
    );
    const detail = await api<ActorDetail>(`/api/actor?key=${encodeURIComponent(summary.key)}`);
    const timeline = JSON.stringify(detail);
    t.regex(timeline, /secret_updated succeeded/, 'the timeline has the update');
    t.regex(timeline, /last-handled-configuration/, 'the timeline has the diff-base patch');
    t.deepEqual(leaks(timeline), [], timeline);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
  }
  // The debug log had the bodies and the diffs (-v), but no value.
  t.regex(op.output, /DEBUG.*Updating is in progress: .*"password":"\(redacted\)"/);
  t.regex(op.output, /DEBUG.*Updating diff: .*hmac-sha256/);
  t.deepEqual(leaks(op.output), [], 'the log carries no value');
});
