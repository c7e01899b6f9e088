// End-to-end test of examples/04-events: the four Events are posted to the API, linked to the object, from a
// plain function on the pool; with the checks of Kopf's e2e test.
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';

test('event, info, warn and exception post Events about the object', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/04-events/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(literal(`${ex.prefix()}Handler 'create_fn' succeeded.`));
    const obj = await ex.get();
    const events = await eventually(async () => {
      const list = await ex.cluster.core.listNamespacedEvent({ namespace: ex.namespace });
      const ours = list.items.filter(
        (e) => e.involvedObject.uid === obj.metadata.uid && e.reason === 'SomeReason',
      );
      return ours.length >= 4 ? ours : null;
    }, 'four SomeReason events');
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    t.deepEqual(Object.keys(byType).sort(), ['Error', 'Normal', 'SomeType', 'Warning']);
    t.is(byType.Normal!.message, 'Some message');
    t.is(byType.Error!.message, 'Some exception: Exception text.');
    t.like(byType.SomeType!.involvedObject, {
      kind: 'KopfExample',
      name: 'kopf-example-1',
      namespace: ex.namespace,
      apiVersion: 'kopf.dev/v1',
    });
    t.is(byType.Normal!.source?.component, 'kopf');
    await ex.deleteAndWaitGone();
    await ex.runner.waitFor(literal(`${ex.prefix()}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  checkKopfE2e(t, ex.runner.output, ex.prefix(), { creation: true, deleted: true });
});
