// The memory release after a wave of ended actors (src/engine/memory-release.ts): V8's collector is found
// without --expose-gc, a wave past the threshold is followed by one compacting collection once it is quiet,
// and that collection gives back the heap a burst grew into; smaller waves and waves too close together wait.
import test from 'ava';
import { Writable } from 'node:stream';
import { garbageCollector, MemoryRelease } from '../../src/engine/memory-release.ts';
import { createRootLogger } from '../../src/observe/log.ts';
import { eventually } from '../helpers/cluster.ts';

function debugLog(): { logger: ReturnType<typeof createRootLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createRootLogger({ format: 'plain', level: 'debug', destination }), lines };
}

test.serial('V8 collector is found in a process started without --expose-gc', (t) => {
  t.false(process.execArgv.includes('--expose-gc'), 'the test itself runs without the flag');
  t.is(typeof garbageCollector(), 'function');
  t.is(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'user code does not get a global gc');
});

test.serial('after a wave past the threshold, one collection gives the burst back', async (t) => {
  const { logger, lines } = debugLog();
  const release = new MemoryRelease(logger, {
    threshold: 100,
    quietMs: 100,
    maxWaitMs: 5_000,
    minIntervalMs: 0,
  });
  // A burst: 200,000 small objects, of which every thousandth survives, scattered over the pages it filled.
  const survivors = burstWithSurvivors();
  garbageCollector()!(); // a regular collection: the garbage is gone, the pages stay committed
  const committed = process.memoryUsage().heapTotal;
  for (let i = 0; i < 150; i++) release.ended();
  t.is(release.releases, 0, 'nothing runs while the wave goes on');
  await eventually(() => release.releases === 1, 'the release after the quiet time');
  const after = process.memoryUsage().heapTotal;
  t.true(after < committed * 0.8, `heap committed ${committed} → ${after}`);
  t.log(`heap committed ${(committed / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MiB`);
  t.is(survivors.length, 200, 'the survivors are still there');
  const line = lines.find((l) => l.includes('Released memory after 150 actors ended'));
  t.truthy(line, lines.join(''));
  release.stop();
});

/** 200,000 small objects, of which every thousandth survives, scattered over the pages they filled. */
function burstWithSurvivors(): { id: number; payload: number[] }[] {
  const burst: { id: number; payload: number[] }[] = [];
  for (let i = 0; i < 200_000; i++) burst.push({ id: i, payload: [i, i + 1, i + 2, i + 3] });
  return burst.filter((o) => o.id % 1000 === 0);
}

test.serial('a wave below the threshold waits; a second wave waits for the shortest interval', async (t) => {
  const { logger } = debugLog();
  const small = new MemoryRelease(logger, { threshold: 10, quietMs: 50, minIntervalMs: 0 });
  const witness = new MemoryRelease(logger, { threshold: 1, quietMs: 50, minIntervalMs: 0 });
  for (let i = 0; i < 9; i++) small.ended();
  witness.ended();
  await eventually(() => witness.releases === 1, 'the witness released');
  t.is(small.releases, 0, 'nine of ten ended actors: no release');
  small.ended();
  await eventually(() => small.releases === 1, 'the tenth starts the release');

  const spaced = new MemoryRelease(logger, { threshold: 1, quietMs: 20, minIntervalMs: 600 });
  spaced.ended();
  await eventually(() => spaced.releases === 1, 'the first release');
  const first = Date.now();
  spaced.ended();
  await eventually(() => spaced.releases === 2, 'the second release');
  t.true(Date.now() - first >= 550, `the second came ${Date.now() - first} ms after the first`);
  for (const r of [small, witness, spaced]) r.stop();
});

test.serial('stop() cancels a pending release', async (t) => {
  const { logger } = debugLog();
  const stopped = new MemoryRelease(logger, { threshold: 1, quietMs: 100, minIntervalMs: 0 });
  const witness = new MemoryRelease(logger, { threshold: 1, quietMs: 300, minIntervalMs: 0 });
  stopped.ended();
  stopped.stop();
  witness.ended();
  await eventually(() => witness.releases === 1, 'the witness, due later, released');
  t.is(stopped.releases, 0);
});
