// The engine's ownership hook (src/engine/ownership.ts) against the real control plane, in-process: owning
// nothing pauses every object (daemons stop with OPERATOR_PAUSING, changes wait, event handlers are quiet) and
// owning again resumes them from their newest bodies without a relist; owning a subset handles only that subset.
import test from 'ava';
import * as kopf from '../../src/index.ts';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { createObject, patchObject } from '../../src/kube/objects.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { OwnedObject, Ownership } from '../../src/engine/ownership.ts';
import { createRootLogger } from '../../src/observe/log.ts';
import { Writable } from 'node:stream';

let cluster: TestCluster;
let user: KubeClient;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  user = kubeClient(cluster);
});
test.after.always(async () => {
  await user?.close();
  await cluster?.close();
});

/** An ownership the test switches: `owned(uid)` decides (idle objects are known by their uid only), `set()` notifies. */
class Switch implements Ownership {
  owned: (uid: string) => boolean = () => true;
  readonly #listeners = new Set<() => void>();
  owns(object: OwnedObject): boolean {
    return this.owned(object.metadata?.uid ?? '');
  }
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(owned: (uid: string) => boolean): void {
    this.owned = owned;
    for (const listener of this.#listeners) listener();
  }
}

async function inProcess(ownership: Ownership): Promise<{ lines: string[]; stop: () => Promise<void> }> {
  const client = kubeClient(cluster);
  const abort = new AbortController();
  const lines: string[] = [];
  const logger = createRootLogger({
    format: 'json',
    level: 'debug',
    destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }),
  });
  let ready = false;
  const running = kopf.operator({
    client,
    namespaces: [cluster.namespace],
    signal: abort.signal,
    onReady: () => (ready = true),
    logger,
    ownership,
  });
  await eventually(() => ready, 'the operator to be ready');
  return {
    lines,
    stop: async () => {
      abort.abort();
      await running;
      await client.close();
    },
  };
}

test.serial(
  'owning nothing pauses every object (daemons stop with OPERATOR_PAUSING); owning again resumes from the newest bodies',
  async (t) => {
    kopf.setDefaultRegistry(new kopf.Registry());
    const seen: string[] = [];
    kopf.on.create('kopfexamples', async function created({ name }) {
      seen.push(`create ${name}`);
    });
    kopf.on.update('kopfexamples', async function updated({ name, diff }) {
      seen.push(`update ${name} ${JSON.stringify(diff)}`);
    });
    kopf.on.resume('kopfexamples', async function resumed({ name }) {
      seen.push(`resume ${name}`);
    });
    kopf.on.event('kopfexamples', async function evented({ name, type }) {
      if (type === 'MODIFIED') seen.push(`event ${name}`);
    });
    kopf.daemon('kopfexamples', async function watcher({ stopped, name }) {
      seen.push(`daemon start ${name}`);
      await stopped.wait();
      seen.push(`daemon stop ${name} ${String(stopped.reason)}`);
    });
    const ownership = new Switch();
    const op = await inProcess(ownership);
    const ns = cluster.namespace;
    try {
      await createObject(user, KEX_RESOURCE, kex('early', { field: 'a' }), ns);
      await eventually(
        () => seen.includes('create early') && seen.includes('daemon start early'),
        'the object handled and its daemon started',
      );
      ownership.set(() => false);
      await eventually(
        () => seen.includes('daemon stop early OPERATOR_PAUSING'),
        'the daemon stopped for the pause',
      );
      const before = seen.length;
      await createObject(user, KEX_RESOURCE, kex('late', { field: 'x' }), ns);
      await patchObject(
        user,
        KEX_RESOURCE,
        { namespace: ns, name: 'early' },
        { spec: { field: 'b' } },
        { type: 'merge' },
      );
      await patchObject(
        user,
        KEX_RESOURCE,
        { namespace: ns, name: 'early' },
        { spec: { field: 'c' } },
        { type: 'merge' },
      );
      // The paused operator sees the events (its watch stays warm) but handles none of them.
      await eventually(() => op.lines.filter((l) => l.includes('early')).length > 0, 'the log');
      await new Promise((r) => setTimeout(r, 1500));
      t.deepEqual(seen.slice(before), [], 'nothing is handled while nothing is owned');
      ownership.set(() => true);
      await eventually(
        () => seen.includes('create late') && seen.includes('daemon start late'),
        'the object created during the pause handled',
      );
      await eventually(
        () => seen.some((s) => s.startsWith('update early')),
        'the change made during the pause handled',
      );
      await eventually(
        () => seen.filter((s) => s === 'daemon start early').length === 2,
        'the daemon respawned',
      );
      const update = seen.filter((s) => s.startsWith('update early'));
      t.deepEqual(
        update,
        [`update early ${JSON.stringify([['change', ['spec', 'field'], 'a', 'c']])}`],
        'one update, from the newest body',
      );
      t.false(
        seen.includes('resume early'),
        'an object withdrawn and regained is not resumed again (Kopf keeps its memory)',
      );
      t.false(
        op.lines.some((l) => l.includes('Re-listed')),
        'no relist was needed',
      );
    } finally {
      await op.stop();
    }
  },
);

test.serial(
  'owning a subset handles only that subset; granting the rest later handles it then',
  async (t) => {
    kopf.setDefaultRegistry(new kopf.Registry());
    const created: string[] = [];
    kopf.on.create('kopfexamples', async function created_fn({ name }) {
      created.push(name);
    });
    const ownership = new Switch();
    const mine = new Set<string>();
    ownership.owned = (uid) => mine.has(uid);
    const op = await inProcess(ownership);
    const ns = cluster.namespace;
    try {
      for (const name of ['mine-1', 'mine-2', 'theirs-1', 'theirs-2']) {
        // The uid is known only once created; an event that comes first is parked and admitted by set() below.
        const body = await createObject(user, KEX_RESOURCE, kex(name), ns);
        if (name.startsWith('mine-')) mine.add(body.metadata.uid!);
      }
      ownership.set((uid) => mine.has(uid));
      await eventually(
        () => created.includes('mine-1') && created.includes('mine-2'),
        'the owned objects handled',
      );
      await new Promise((r) => setTimeout(r, 1000));
      t.deepEqual(
        created.filter((n) => n.startsWith('theirs-')),
        [],
        'the others are not handled',
      );
      ownership.set(() => true);
      await eventually(
        () => created.includes('theirs-1') && created.includes('theirs-2'),
        'the granted objects handled',
      );
      t.is(created.length, 4, 'each object handled once');
    } finally {
      await op.stop();
    }
  },
);
