// End-to-end test of examples/13-hooks against the real control plane, with Kopf's checks: the startup
// handlers succeed once each (one after three retries), pods get background tasks, the liveness endpoint
// serves both probes' results over HTTP ({tasks_count, monitored_objects}), the cleanup handler runs once at
// exit, exit code 0.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster } from '../../test/helpers/cluster.ts';

test('startup, cleanup and probes; the probes served by --liveness', async (t) => {
  const cluster = await testCluster(import.meta.filename);
  const namespace = cluster.namespace;
  const operator = fileURLToPath(new URL('./operator.ts', import.meta.url));
  const runner = new KopfRunner(
    [
      'run',
      '--standalone',
      '--verbose',
      '-n',
      namespace,
      '--liveness',
      'http://127.0.0.1:0/healthz',
      operator,
    ],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    },
  ).start();
  try {
    const url = (await runner.waitFor(/Serving health status at (\S+)/, 60_000))[1]!;
    await runner.waitFor(/Watching pods/, 60_000);
    for (const name of ['pod-b', 'pod-a']) {
      await cluster.core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name },
          spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
        },
      });
    }
    await runner.waitFor(/Served by the background task\./, 30_000);
    const res = await fetch(url);
    t.is(res.status, 200);
    t.deepEqual(await res.json(), { tasks_count: 2, monitored_objects: { [namespace]: ['pod-a', 'pod-b'] } });
  } finally {
    t.is(await runner.stop(), 0);
    await cluster.close();
  }
  const out = runner.output;
  t.is(runner.count(/Activity 'startup_fn_simple' succeeded/), 1);
  t.is(runner.count(/Activity 'startup_fn_retried' succeeded/), 1);
  t.is(runner.count(/Activity 'cleanup_fn' succeeded/), 1);
  t.is(runner.count(/Going to succeed in \ds/), 3);
  t.regex(out, /Initialising the task-lock\.\.\./);
  t.regex(out, /Starting retried\.\.\./);
  t.regex(out, /All pod-tasks are requested to stop\.\.\./);
  t.notRegex(out, /Traceback|Unhandled|uncaught/i);
});
