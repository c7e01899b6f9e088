// End-to-end test of examples/15-timers: both timers tick once the object is idle long enough (5 s and
// 10 s), then every 2 s and 4 s; the sync one on the pool, the async one in the event loop; with the checks of
// Kopf's e2e test (a timer succeeds once per tick).
import test from 'ava';
import { runExample, OBJ_YAML, literal, checkKopfE2e } from '../../test/helpers/example.ts';

test('timers tick after the idle time, at their intervals, and stop with the object', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/15-timers/operator.ts');
  try {
    await ex.cluster.apply(OBJ_YAML);
    const created = Date.now();
    await ex.runner.waitFor(literal(`${ex.prefix()}Ping from a sync timer: field="value"`), 30_000);
    const firstSync = Date.now() - created;
    t.true(firstSync >= 4500, `the sync timer waited for 5 s of idleness (${firstSync} ms)`);
    await ex.runner.waitFor(literal(`${ex.prefix()}Ping from an async timer: field="value"`), 30_000);
    const firstAsync = Date.now() - created;
    t.true(firstAsync >= 9500, `the async timer waited for 10 s of idleness (${firstAsync} ms)`);
    // Then the sync one ticks every 2 s: two more ticks take about 4 s.
    await ex.runner.waitFor(/Ping from a sync timer/, 30_000, ex.runner.output.length);
    const since = Date.now();
    await ex.runner.waitFor(/Ping from a sync timer/, 30_000, ex.runner.output.length);
    await ex.runner.waitFor(/Ping from a sync timer/, 30_000, ex.runner.output.length);
    const took = Date.now() - since;
    t.true(took > 3000 && took < 8000, `two more sync ticks in ${took} ms (every 2 s)`);
    await ex.deleteAndWaitGone();
  } finally {
    t.is(await ex.close(), 0);
  }
  t.notRegex(ex.runner.output, /did not exit in time/);
  checkKopfE2e(t, ex.runner.output, ex.prefix(), {
    successes: {
      every_few_seconds_sync: ex.runner.count(/Ping from a sync timer/),
      every_few_seconds_async: ex.runner.count(/Ping from an async timer/),
    },
  });
});
