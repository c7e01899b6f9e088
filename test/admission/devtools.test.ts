// Admission reviews in the devtools: `kopf-ts run --devtools` with a watched and reviewed resource
// (test/fixtures/admission/watched.ts) against the real API server. The CREATE review (made before the object
// has a uid) and later UPDATE reviews appear in the object's timeline with the handler, the verdict, the
// mutation and the warnings.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import type { ActorDetail, ActorSummary } from '../../src/devtools/index.ts';
import { eventually, testCluster } from '../helpers/cluster.ts';
import { kexYaml, kubectl } from '../helpers/kubectl.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/admission/watched.ts', import.meta.url));

test('admission reviews appear in the object timeline', async (t) => {
  const cluster = await testCluster(import.meta.filename);
  const ns = cluster.namespace;
  const kc = cluster.kubeconfigPath;
  const managed = `${ns}.kopf.test`;
  const op = new KopfRunner(['run', '--standalone', '-n', ns, '--devtools', OPERATOR], {
    env: { ...process.env, KUBECONFIG: kc, ADMISSION_MANAGED: managed },
  }).start();
  try {
    const url = new URL(
      (await op.waitFor(/Devtools: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/, 60_000))[1]!,
    );
    await op.waitFor(/Reconfiguring the mutating webhook/, 30_000);
    const token = url.searchParams.get('token')!;
    const api = async <T>(path: string): Promise<T> =>
      (await (
        await fetch(new URL(`${path}${path.includes('?') ? '&' : '?'}token=${token}`, url))
      ).json()) as T;
    t.is((await kubectl(kc, ['apply', '-n', ns, '-f', '-'], kexYaml('reviewed', 'plain'))).code, 0);
    const summary = await eventually(
      async () =>
        (await api<{ actors: ActorSummary[] }>('/api/actors')).actors.find(
          (a) => a.name === 'reviewed' && a.state === 'idle',
        ),
      'the actor idle',
      60_000,
    );
    const updated = await kubectl(kc, ['apply', '-n', ns, '-f', '-'], kexYaml('reviewed', 'odd'));
    t.is(updated.code, 0, updated.stderr);
    t.regex(updated.stderr, /Warning: An odd field\./);
    const refused = await kubectl(kc, ['apply', '-n', ns, '-f', '-'], kexYaml('reviewed', 'forbidden'));
    t.not(refused.code, 0);
    const lines = await eventually(async () => {
      const detail = await api<ActorDetail>(`/api/actor?key=${encodeURIComponent(summary.key)}`);
      const text = detail.timeline.map((l) => `${l.kind}: ${l.text}`).join('\n');
      return text.includes('rejected') ? text : null;
    }, 'the rejected update in the timeline');
    t.regex(lines, /admission: webhook check_field \(CREATE\) allowed in \d+ ms/);
    t.regex(
      lines,
      /admission: webhook stamp \(CREATE\) allowed in \d+ ms; patch \[\{"op":"add","path":"\/metadata\/labels","value":\{"stamped":"yes"\}\}\]/,
    );
    t.regex(
      lines,
      /admission: webhook check_field \(UPDATE\) allowed in \d+ ms; warnings \["An odd field\."\]/,
    );
    t.regex(lines, /admission: webhook check_field \(UPDATE\) rejected: Not this field\. in \d+ ms/);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
    await kubectl(kc, [
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      managed,
      '--ignore-not-found',
    ]);
    await cluster.close();
  }
});
