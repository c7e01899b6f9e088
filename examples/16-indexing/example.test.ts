// End-to-end test of examples/16-indexing with the checks of Kopf's e2e test (the operator starts, serves an
// object, exits with 0, prints no stack traces; the example counts no handler successes), plus what it shows:
// the pool timer reads both indexes (a pod's labels are printed from `by_label`, `status.running-pods` is written),
// and the two probes report from `is_running` on the liveness endpoint.
import test from 'ava';
import { runExample, OBJ_YAML, literal } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('indexes of pods are read by a timer on the pool', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/16-indexing/operator.ts', [
    '--liveness',
    'http://127.0.0.1:0/healthz',
  ]);
  try {
    const url = (await ex.runner.waitFor(/Serving health status at (\S+)/, 60_000))[1]!;
    await ex.cluster.core.createNamespacedPod({
      namespace: ex.namespace,
      body: {
        metadata: { name: 'indexed-pod', labels: { app: 'kex-test' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    await ex.cluster.apply(OBJ_YAML);
    // The timer prints `by_label`: the pod's name under its label's key.
    await ex.runner.waitFor(literal(`'app=kex-test': [ 'indexed-pod' ]`), 30_000);
    const obj = await eventually(async () => {
      const o = await ex.get();
      return Array.isArray(o.status?.['running-pods']) ? o : null;
    }, 'status.running-pods');
    // No pod of kube-system or default runs on a control plane without nodes.
    t.deepEqual(obj.status['running-pods'], []);
    // The probes (plain functions on the pool) read the index: one pod in this namespace.
    const probes = await eventually(async () => {
      const answer = (await (await fetch(url)).json()) as { pod_count?: number; pod_names?: string[] };
      return answer.pod_count === 1 ? answer : null;
    }, 'the probes on the liveness endpoint');
    t.deepEqual(probes, { pod_count: 1, pod_names: ['indexed-pod'] });
    await ex.deleteAndWaitGone();
  } finally {
    t.is(await ex.close(), 0);
  }
  t.notRegex(ex.runner.output, /Traceback|\n\s+at .+\(.+:\d+:\d+\)/);
});
