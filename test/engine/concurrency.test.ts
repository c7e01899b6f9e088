// settings.queueing.workerLimit against the real control plane: at most that many objects react at once.
import test from 'ava';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import * as kopf from '../../src/index.ts';
import { createObject } from '../../src/kube/objects.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

async function peakConcurrency(workerLimit: number | null, label: string): Promise<number> {
  const registry = new kopf.Registry();
  kopf.setDefaultRegistry(registry);
  let running = 0;
  let peak = 0;
  let finished = 0;
  kopf.on.create('kopfexamples', { labels: { case: label } }, async function probe() {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 300));
    running--;
    finished++;
  });
  const settings = kopf.defaultSettings();
  settings.queueing.workerLimit = workerLimit;
  const stop = new AbortController();
  let ready = false;
  const logger = quietLogger();
  const operator = kopf.operator({ kubeconfig: cluster.kubeconfigPath, namespaces: [cluster.namespace], settings, signal: stop.signal, onReady: () => (ready = true), logger });
  await eventually(() => ready, 'the operator');
  const user = kubeClient(cluster);
  await Promise.all([1, 2, 3, 4].map((i) => createObject(user, KEX_RESOURCE, kex(`${label}-${i}`, { field: 'v' }, { labels: { case: label } }), cluster.namespace)));
  await eventually(() => finished === 4, 'four handlers done', 20_000);
  stop.abort();
  await operator;
  await user.close();
  return peak;
}

test.serial('workerLimit 1 serialises reactions; no limit lets them overlap', async (t) => {
  t.is(await peakConcurrency(1, 'limited'), 1);
  t.true((await peakConcurrency(null, 'unlimited')) > 1);
});
