// End-to-end test of examples/14-daemons: both daemons fail three times, then ping; deletion signals them,
// the async one is cancelled, both exit, and only then is the finalizer released and the object gone; with the
// checks of Kopf's e2e test (no change handlers: no creation or deletion lines are expected).
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';

test('daemons retry, ping, and stop on deletion before the finalizer is released', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/14-daemons/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    await ex.runner.waitFor(
      literal(`${ex.prefix()}=> Ping from a sync daemon: field="value", retry=3`),
      60_000,
    );
    await ex.runner.waitFor(literal(`${ex.prefix()}=> Ping from an async daemon: field="value"`), 60_000);
    const body = await ex.get();
    t.deepEqual(
      body.metadata.finalizers,
      ['kopf.zalando.org/KopfFinalizerMarker'],
      'the daemons hold the finalizer',
    );
    t.is(body.status?.message, 'Failed 3 times.', 'the patch of each failed attempt is written');
    await ex.deleteAndWaitGone();
  } finally {
    t.is(await ex.close(), 0);
  }
  const out = ex.runner.output;
  t.is(ex.runner.count(/\] Daemon 'background_sync' failed temporarily: Simulated failure\./), 3);
  t.is(ex.runner.count(/\] Daemon 'background_async' failed temporarily: Simulated failure\./), 3);
  t.regex(out, /Daemon 'background_sync' is signalled to exit gracefully\./);
  t.regex(out, /Daemon 'background_async' is signalled to exit by force\./);
  t.regex(out, /Daemon 'background_sync' has exited on request and will not be retried or restarted\./);
  t.notRegex(out, /did not exit in time/);
  const releasedAt = out.indexOf('Removing the finalizer, thus allowing the actual deletion.');
  t.true(
    releasedAt > out.indexOf("Daemon 'background_sync' succeeded"),
    'the finalizer is released after the sync daemon exited',
  );
  checkKopfE2e(t, out, ex.prefix(), { successes: { background_sync: 1, background_async: 0 } });
});
