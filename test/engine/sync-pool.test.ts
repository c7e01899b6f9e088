// Sync handlers on the worker pool, against the real control plane: two CPU-bound handlers run in parallel
// on 2 cores, the operator meanwhile handles other objects' async handlers, and its event loop stays
// responsive (perf_hooks.monitorEventLoopDelay; a generous bound).
import test from 'ava';
import { Writable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import * as kopf from '../../src/index.ts';
import { createObject, getObject } from '../../src/kube/objects.ts';
import { createRootLogger } from '../../src/observe/log.ts';
import { quietLogger } from '../helpers/logger.ts';

let cluster: TestCluster;
const fixture = new URL('../fixtures/engine/cpu.ts', import.meta.url).href;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  kopf.setDefaultRegistry(new kopf.Registry());
  await import(fixture);
});
test.after.always(async () => {
  await cluster?.close();
});

test.serial('CPU-bound sync handlers run in parallel off the event loop', async (t) => {
  t.timeout(120_000);
  const stop = new AbortController();
  let ready = false;
  const logger = quietLogger();
  const settings = kopf.defaultSettings();
  settings.execution.maxWorkers = 2;
  settings.execution.minWorkers = 2; // both threads exist from the start (on a loaded machine, starting one takes seconds)
  const operator = kopf.operator({
    kubeconfig: cluster.kubeconfigPath,
    namespaces: [cluster.namespace],
    settings,
    moduleUrls: [fixture],
    signal: stop.signal,
    onReady: () => (ready = true),
    logger,
  });
  const user = kubeClient(cluster);
  const ns = cluster.namespace;
  const result = async (name: string, id: string): Promise<any> =>
    await eventually(
      async () => (await getObject(user, KEX_RESOURCE, { namespace: ns, name })).status?.[id],
      `${name} handled`,
      30_000,
    );
  try {
    await eventually(() => ready, 'the operator');
    // Warm both threads up (their imports of the operator's files), then measure.
    await Promise.all(
      ['warmup-1', 'warmup-2'].map((name) =>
        createObject(user, KEX_RESOURCE, kex(name, { field: 'v' }, { labels: { case: 'cpu' } }), ns),
      ),
    );
    await Promise.all([result('warmup-1', 'burn'), result('warmup-2', 'burn')]);

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = Date.now();
    await Promise.all(
      ['cpu-1', 'cpu-2'].map((name) =>
        createObject(user, KEX_RESOURCE, kex(name, { field: 'v' }, { labels: { case: 'cpu' } }), ns),
      ),
    );
    await createObject(user, KEX_RESOURCE, kex('light-1', { field: 'v' }, { labels: { case: 'light' } }), ns);
    const light = await result('light-1', 'light');
    const lightAfter = light.at - started;
    const [one, two] = await Promise.all([result('cpu-1', 'burn'), result('cpu-2', 'burn')]);
    const both = Date.now() - started;
    // In parallel: each ran while the other did (the intervals overlap), whatever the machine's load.
    t.true(
      one.start < two.end && two.start < one.end,
      `the two burns did not overlap: ${JSON.stringify([one, two])}`,
    );
    lag.disable();
    const p99 = lag.percentile(99) / 1e6;
    t.log(
      `two 2-second sync handlers: ${both} ms in all; an async handler done after ${lightAfter} ms; event-loop delay p99 ${p99.toFixed(1)} ms`,
    );
    t.true(both < 6000, `two 2 s handlers took ${both} ms`);
    t.true(lightAfter < 1900, `the async handler waited ${lightAfter} ms behind the CPU-bound ones`);
    t.true(p99 < 250, `event-loop delay p99 ${p99.toFixed(1)} ms`);
  } finally {
    stop.abort();
    await operator;
    await user.close();
  }
});

test.serial('a sync handler still running at its timeout is stopped, and the operator goes on', async (t) => {
  t.timeout(60_000);
  const lines: string[] = [];
  const logger = createRootLogger({
    format: 'json',
    level: 'info',
    destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }),
  });
  const stop = new AbortController();
  let ready = false;
  const operator = kopf.operator({
    kubeconfig: cluster.kubeconfigPath,
    namespaces: [cluster.namespace],
    moduleUrls: [fixture],
    signal: stop.signal,
    onReady: () => (ready = true),
    logger,
  });
  const user = kubeClient(cluster);
  try {
    await eventually(() => ready, 'the operator');
    const started = Date.now();
    await createObject(
      user,
      KEX_RESOURCE,
      kex('stuck-1', { field: 'v' }, { labels: { case: 'stuck' } }),
      cluster.namespace,
    );
    await eventually(
      () => lines.some((l) => l.includes('Creation is processed: 0 succeeded; 1 failed.')),
      'the stuck handler to fail for good',
      30_000,
    );
    t.true(
      lines.some((l) => l.includes("Handler 'stuck' failed with an exception and will stop now")),
      lines.filter((l) => l.includes('stuck')).join('\n'),
    );
    t.log(`stopped after ${Date.now() - started} ms`);
    await createObject(
      user,
      KEX_RESOURCE,
      kex('light-2', { field: 'v' }, { labels: { case: 'light' } }),
      cluster.namespace,
    );
    await eventually(
      async () =>
        (await getObject(user, KEX_RESOURCE, { namespace: cluster.namespace, name: 'light-2' })).status
          ?.light,
      'another object handled',
    );
  } finally {
    stop.abort();
    await operator;
    await user.close();
  }
});
