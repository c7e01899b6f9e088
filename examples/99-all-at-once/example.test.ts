// End-to-end test of examples/99-all-at-once, run with the settings of Kopf's e2e test (default backoff 1 s):
// startup and cleanup handlers, the create handlers (Events, a retry, a blocking worker, an adopted Pod), the
// update and field handlers, the delete handler, the event handler on the Pod; with the checks (and the E2E_*
// marks) of Kopf's e2e test.
import test from 'ava';
import * as k8s from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually, KOPFEXAMPLES } from '../../test/helpers/cluster.ts';

const E2E_SETTINGS = fileURLToPath(new URL('../../test/helpers/e2e-settings.ts', import.meta.url));

test('everything at once, from startup to cleanup', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/99-all-at-once/operator.ts', {
    args: [E2E_SETTINGS],
  });
  const p = ex.prefix();
  const { core, namespace } = ex.cluster;
  try {
    t.regex(ex.runner.output, /Starting in 1s\.\.\./);
    t.regex(ex.runner.output, /Starting retried\.\.\./);
    t.is(ex.runner.count(/Activity 'startup_fn_retried' failed temporarily: Going to succeed in \ds/), 3);

    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${p}Creation is processed: 3 succeeded; 0 failed.`), 30_000);
    t.regex(
      ex.runner.output,
      literal(`${p}Handler 'create_2' failed with an exception and will try again in 1 seconds: Whoops!`),
    );
    const obj = await eventually(async () => {
      const o = await ex.get();
      return o.status?.create_1 && o.status?.create_2 ? o : null;
    }, 'the results in status');
    t.deepEqual(obj.status.create_1, { 'job1-status': 100 });
    t.deepEqual(obj.status.create_2, { 'job2-status': 100 });

    // Events about the object, posted from a plain function on the pool.
    const events = await eventually(async () => {
      const list = await core.listNamespacedEvent({ namespace });
      const ours = list.items.filter(
        (e) => e.involvedObject.uid === obj.metadata.uid && /AnyReason|SomeReason/.test(e.reason ?? ''),
      );
      return ours.length >= 2 ? ours : null;
    }, 'the events of create_1');
    t.deepEqual(events.map((e) => `${e.type} ${e.reason} ${e.message ?? ''}`).sort(), [
      'Normal AnyReason ',
      'Warning SomeReason Cannot do something',
    ]);

    // The adopted and labelled pod, and the event handler that sees it by its label.
    const pods = (await core.listNamespacedPod({ namespace })).items;
    t.is(pods.length, 1);
    const pod = pods[0]!;
    t.like(pod.metadata!.labels, { application: 'kopf-example-10', somelabel: 'somevalue' });
    t.like(pod.metadata!.ownerReferences![0], {
      kind: 'KopfExample',
      name: 'kopf-example-1',
      uid: obj.metadata.uid,
    });
    await ex.runner.waitFor(literal(`${ex.prefix(pod.metadata!.name)}This pod is special for us.`));

    // An update of spec.lst: the update handler with the diff, and the field handler.
    await ex.cluster.custom.patchNamespacedCustomObject(
      { ...KOPFEXAMPLES, namespace, name: 'kopf-example-1', body: { spec: { lst: ['a', 'b'] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await ex.runner.waitFor(literal(`${p}Updating is processed: 2 succeeded; 0 failed.`));
    await ex.runner.waitFor(/^Handling the diff$/m);
    await ex.runner.waitFor(literal('Handling the FIELD = null -> ["a","b"]'));

    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${p}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  const out = ex.runner.output;
  t.regex(out, /Cleaning up in 3s\.\.\./);
  checkKopfE2e(t, out, p, {
    creation: true,
    finalizer: true,
    deleted: true,
    allowStacks: true,
    successes: {
      ...{
        create_1: 1,
        create_2: 1,
        create_pod: 1,
        delete: 1,
        startup_fn_simple: 1,
        startup_fn_retried: 1,
        cleanup_fn: 1,
      },
      ...{ update: 1, 'update_lst/spec.lst': 1, e2e_settings: 1 },
    },
  });
});
