// A 410 Gone in the middle of the operator's watch loses no change: while its watch is away, an object is
// changed; the resourceVersion expires; the relist brings the change and the update handler runs.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import * as kopf from '../../src/index.ts';
import { startControlPlane } from '../../src/cluster/index.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadConnection } from '../../src/kube/config.ts';
import { createObject, patchObject } from '../../src/kube/objects.ts';
import { createRootLogger } from '../../src/observe/log.ts';
import { CRD_PATH, eventually } from '../helpers/cluster.ts';
import { kex, KEX_RESOURCE } from '../helpers/kube.ts';

test('a change made while the watch is away and its resourceVersion expires is handled after the relist', async (t) => {
  t.timeout(180_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('needs a plane of its own');
  const plane = await startControlPlane({ etcdCompactionInterval: '5s', apiserverFlags: ['--watch-cache=false'] });
  const user = new KubeClient(loadConnection({ kubeconfig: plane.kubeconfigPath }));
  const lines: string[] = [];
  const logger = createRootLogger({ format: 'json', level: 'debug', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  const stop = new AbortController();
  let operator: Promise<void> | undefined;
  try {
    await user.request({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: parse(readFileSync(CRD_PATH, 'utf8')) });
    await eventually(() => user.request({ method: 'GET', path: '/apis/kopf.dev/v1/kopfexamples' }).then(() => true), 'the CRD served');
    const registry = new kopf.Registry();
    kopf.setDefaultRegistry(registry);
    const updates: unknown[] = [];
    kopf.on.update('kopfexamples', async function on_update({ diff }) {
      updates.push(diff);
    });
    const settings = kopf.defaultSettings();
    settings.watching.inactivityTimeout = 1;
    settings.watching.reconnectBackoff = 24; // 12–36 s away after each silent second
    settings.scanning.disabled = true;
    let ready = false;
    operator = kopf.operator({ kubeconfig: plane.kubeconfigPath, namespaces: ['default'], settings, signal: stop.signal, onReady: () => (ready = true), logger });
    await eventually(() => ready, 'the operator');
    await createObject(user, KEX_RESOURCE, kex('kept', { field: 'a' }), 'default');
    // Wait until the object is handled once (the diff-base is written), then until the watch goes silent.
    await eventually(async () => {
      const b = await user.request<any>({ method: 'GET', path: '/apis/kopf.dev/v1/namespaces/default/kopfexamples/kept' });
      return b.metadata.annotations?.['kopf.zalando.org/last-handled-configuration'];
    }, 'the diff-base', 60_000);
    const silentBefore = lines.filter((l) => l.includes('was silent for 1 s')).length;
    await eventually(() => lines.filter((l) => l.includes('was silent for 1 s')).length > silentBefore, 'the watch to go away again', 60_000);
    const relistsBefore = lines.filter((l) => l.includes('Re-listed kopfexamples')).length;
    await patchObject(user, KEX_RESOURCE, { namespace: 'default', name: 'kept' }, { spec: { field: 'b' } }, { type: 'merge' });
    await user.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'churn' } } });
    await createObject(user, KEX_RESOURCE, kex('churn'), 'churn');
    for (let i = 0; i < 30; i++) await patchObject(user, KEX_RESOURCE, { namespace: 'churn', name: 'churn' }, { spec: { i } }, { type: 'merge' });
    await eventually(() => lines.filter((l) => l.includes('Re-listed kopfexamples')).length > relistsBefore, 'a relist after 410 Gone', 120_000);
    await eventually(() => updates.length === 1, 'the update handled after the relist', 30_000);
    t.deepEqual(updates[0], [['change', ['spec', 'field'], 'a', 'b']]);
  } finally {
    stop.abort();
    await operator;
    await user.close();
    await plane.stop();
  }
});
