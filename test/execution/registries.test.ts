// A pool per operator, each looking handlers up in its operator's own registry: two registries created by one
// operator file, with a plain handler of the same id and selector in each (so they differ only by their order of
// creation), run on two pools; each pool runs its registry's handler in a worker thread. A registry the worker
// cannot find is a clear failure, not another registry's handler.
import test from 'ava';
import { invokeHandler } from '../../src/execution/invoke.ts';
import { WorkerPool } from '../../src/execution/pool.ts';
import { Registry, registryRef } from '../../src/handlers/registry.ts';
import { newPatch } from '../../src/model/patch.ts';

const url = new URL('../fixtures/execution/registries.ts', import.meta.url).href;
const { first, second } = (await import(url)) as { first: Registry; second: Registry };

const pools: WorkerPool[] = [];
test.after.always(() => Promise.all(pools.map((p) => p.close({ force: true }))));

async function runWhich(registry: Registry, options: { ref?: ReturnType<typeof registryRef> } = {}) {
  const pool = new WorkerPool({
    moduleUrls: [url],
    maxThreads: 1,
    registry: options.ref ?? registryRef(registry),
  });
  pools.push(pool);
  const handler = registry.all().find((h) => h.id === 'which')!;
  return await invokeHandler({
    handler: { ...handler, errors: 'permanent' },
    kwargs: { patch: newPatch() },
    pool,
  });
}

test('each pool runs the handler of its own registry, on a worker thread', async (t) => {
  const [a, b] = await Promise.all([runWhich(first), runWhich(second)]);
  t.is(a.placement, 'pool');
  t.is(a.outcome.result, 'first');
  t.is(b.placement, 'pool');
  t.is(b.outcome.result, 'second');
});

test('a registry the worker cannot find is the attempt failure, with what to do', async (t) => {
  const { outcome } = await runWhich(first, { ref: { signature: ['changing:elsewhere@other'], ordinal: 0 } });
  t.truthy(outcome.exception);
  t.regex(
    outcome.exception!.message,
    /The operator's registry \(a kopf\.Registry with 1 handlers\) was not created in the worker thread/,
  );
});
