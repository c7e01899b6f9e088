// Passivation (settings.execution.passivateAfter, here 1 s) with the real control plane and `kopf-ts run
// --devtools` in a child process: an object idle long enough is passivated (the devtools list it as idle,
// marked passivated), then updated and deleted and handled exactly as a live actor would (one create, no
// resume, the update sees old and new, the delete handler runs and the finalizer is released); a retry
// scheduled before the idle delay still happens; an object with a timer is never passivated.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, deleteObject, getObject, patchObject } from '../../src/kube/objects.ts';
import { ignoreNotFound } from '../../src/kube/errors.ts';
import type { ActorDetail, ActorSummary } from '../../src/devtools/index.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

test.serial('passivated objects are restored by their next event and handled as before; retries and timers keep actors alive', async (t) => {
  const operator = fileURLToPath(new URL('../fixtures/engine/passivation.ts', import.meta.url));
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, '--devtools', operator], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    settings: { execution: { passivateAfter: 1 } },
  }).start();
  const user = kubeClient(cluster);
  const ns = cluster.namespace;
  const get = (name: string) => getObject(user, KEX_RESOURCE, { namespace: ns, name }).catch(ignoreNotFound);
  try {
    const url = new URL((await op.waitFor(/Devtools: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/))[1]!);
    const token = url.searchParams.get('token')!;
    const api = async <T>(path: string): Promise<T> => (await (await fetch(new URL(`${path}${path.includes('?') ? '&' : '?'}token=${token}`, url))).json()) as T;
    const listed = async (name: string): Promise<ActorSummary | undefined> => (await api<{ actors: ActorSummary[] }>('/api/actors')).actors.find((a) => a.name === name);
    await op.waitFor(/Watching kopfexamples/);

    await createObject(user, KEX_RESOURCE, kex('plain', { field: 'one' }), ns);
    await createObject(user, KEX_RESOURCE, kex('retried', { field: 'r' }, { labels: { case: 'retry' } }), ns);
    await createObject(user, KEX_RESOURCE, kex('ticking', { field: 't' }, { labels: { ticking: 'yes' } }), ns);

    // Idle for a second: passivated, still listed (as idle, marked passivated), its timeline kept.
    await op.waitFor(/created plain field=one retry=0/);
    const passive = await eventually(async () => ((await listed('plain'))?.passivated ? await listed('plain') : undefined), 'plain passivated in the devtools list', 30_000);
    t.is(passive.state, 'idle');
    const detail = await api<ActorDetail>(`/api/actor?key=${encodeURIComponent(passive.key)}`);
    t.is(detail.status, 'passivated');
    t.regex(detail.timeline.map((l) => l.text).join('\n'), /idle → passivated/);

    // The retry was scheduled (4 s) before the idle delay (1 s) ran out: the actor waited for it, not passivated.
    await op.waitFor(/created retried field=r retry=0/);
    t.false(Boolean((await listed('retried'))?.passivated), 'an actor with a pending retry is not passivated');
    await op.waitFor(/created retried field=r retry=1/, 30_000);
    await eventually(async () => (await get('retried'))?.status?.['created'] === 'ok', 'the retried creation recorded');
    await eventually(async () => (await listed('retried'))?.passivated, 'retried passivated once done', 30_000);

    // The timer keeps its object's actor alive: it ticks on well past the idle delay and is never passivated.
    await op.waitFor(/tick ticking/);
    const ticksBefore = op.count(/tick ticking/g);
    await eventually(async () => op.count(/tick ticking/g) >= ticksBefore + 6, 'the timer ticking for 3 s more', 30_000);
    const ticking = await listed('ticking');
    t.is(ticking?.state, 'idle');
    t.falsy(ticking?.passivated, 'an object with a timer is never passivated');

    // Updated while passivated: restored, handled as an update with the right old and new; no resume, no second create.
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'plain' }, { spec: { field: 'two' } }, { type: 'merge' });
    await op.waitFor(/updated plain from=one to=two/);
    await eventually(async () => (await listed('plain'))?.passivated, 'plain passivated again after the update', 30_000);
    const restoredDetail = await api<ActorDetail>(`/api/actor?key=${encodeURIComponent(passive.key)}`);
    t.regex(restoredDetail.timeline.map((l) => l.text).join('\n'), /restored from passivation/);

    // Deleted while passivated: the delete handler runs and the finalizer is released; it leaves the list.
    await deleteObject(user, KEX_RESOURCE, { namespace: ns, name: 'plain' });
    await op.waitFor(/deleted plain/);
    await eventually(async () => (await get('plain')) === undefined, 'plain released and gone');
    await eventually(async () => (await listed('plain')) === undefined, 'plain gone from the devtools list');

    t.is(op.count(/created plain/g), 1, 'one creation');
    t.is(op.count(/updated plain/g), 1, 'one update');
    t.is(op.count(/deleted plain/g), 1, 'one deletion');
    t.is(op.count(/resumed /g), 0, 'a restored actor never resumes');
    t.is(op.count(/created retried/g), 2, 'the creation and its one retry');
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
    await user.close();
  }
});

test.serial('after a wave of passivations the operator gives its memory back, and the objects are handled as before', async (t) => {
  const operator = fileURLToPath(new URL('../fixtures/engine/passivation.ts', import.meta.url));
  const ns = `${cluster.namespace}`;
  const op = new KopfRunner(['run', '--standalone', '--verbose', '-n', ns, operator], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    settings: { execution: { passivateAfter: 1, releaseMemoryAfter: 5 } },
  }).start();
  const user = kubeClient(cluster);
  try {
    await op.waitFor(/Watching kopfexamples/);
    const names = ['wave-0', 'wave-1', 'wave-2', 'wave-3', 'wave-4', 'wave-5'];
    for (const name of names) await createObject(user, KEX_RESOURCE, kex(name, { field: 'one' }), ns);
    for (const name of names) await op.waitFor(new RegExp(`created ${name} field=one`));
    // Six actors passivate a second later; two seconds after the last, one compacting collection.
    const released = await op.waitFor(/Released memory after (\d+) actors ended: heap ([\d.]+) → ([\d.]+) MiB/, 30_000);
    t.true(Number(released[1]) >= 5, released[0]);
    t.true(Number(released[3]) < Number(released[2]), `the committed heap shrank: ${released[0]}`);
    // Nothing of the objects was lost with the garbage: an update is handled as an update.
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name: 'wave-3' }, { spec: { field: 'two' } }, { type: 'merge' });
    await op.waitFor(/updated wave-3 from=one to=two/);
    t.is(op.count(/created wave-/g), 6, 'each object created once');
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
    await user.close();
  }
});

test.serial('over the cap on live actors, idle ones are passivated at once and still handled as before', async (t) => {
  const operator = fileURLToPath(new URL('../fixtures/engine/passivation.ts', import.meta.url));
  const ns = cluster.namespace;
  const op = new KopfRunner(['run', '--standalone', '-n', ns, '--devtools', operator], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    settings: { execution: { passivateAfter: 3600, maxLiveActors: 4 } },
  }).start();
  const user = kubeClient(cluster);
  try {
    const url = new URL((await op.waitFor(/Devtools: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/))[1]!);
    const token = url.searchParams.get('token')!;
    const actors = async (): Promise<ActorSummary[]> =>
      ((await (await fetch(new URL(`/api/actors?token=${token}`, url))).json()) as { actors: ActorSummary[] }).actors;
    await op.waitFor(/Watching kopfexamples/);
    const names = Array.from({ length: 10 }, (_, i) => `capped-${i}`);
    for (const name of names) await createObject(user, KEX_RESOURCE, kex(name, { field: 'one' }), ns);
    for (const name of names) await op.waitFor(new RegExp(`created ${name} field=one`));
    // An hour of passivateAfter, yet the idle actors beyond the cap are passivated at once.
    const listed = await eventually(async () => {
      const all = await actors();
      const live = all.filter((a) => !a.passivated);
      return names.every((n) => all.some((a) => a.name === n)) && live.length <= 4 ? all : null;
    }, 'at most 4 live actors, every object still listed', 30_000);
    const passive = listed.filter((a) => names.includes(a.name ?? '') && a.passivated);
    t.true(passive.length >= 6, `${passive.length} of 10 passivated`);
    t.truthy(listed.find((a) => a.name === 'ticking' && !a.passivated), 'the object with a timer stays live');
    // A passivated one is restored by its next event and handled as an update, not created again.
    const name = passive[0]!.name!;
    await patchObject(user, KEX_RESOURCE, { namespace: ns, name }, { spec: { field: 'two' } }, { type: 'merge' });
    await op.waitFor(new RegExp(`updated ${name} from=one to=two`));
    t.is(op.count(new RegExp(`created ${name} `, 'g')), 1, 'created once');
    t.is(op.count(/resumed capped-/g), 0, 'never resumed');
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
    await user.close();
  }
});
