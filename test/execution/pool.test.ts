// Sync handlers on the Piscina pool, through the real registry: placement by thread, error classes and fields,
// log records and patch changes coming back, crashes, cancellation, deadlines, and the clear errors of what
// cannot cross threads. The handlers live in test/fixtures/execution/operator.ts, imported here and by the workers.
import test from 'ava';
import { threadId } from 'node:worker_threads';
import { getDefaultRegistry } from '../../src/handlers/registry.ts';
import { HandlerCancelledError, invokeHandler, type InvocableHandler } from '../../src/execution/invoke.ts';
import { WorkerPool, WorkerFailedError } from '../../src/execution/pool.ts';
import { SharedStopFlag } from '../../src/execution/stop-flag.ts';
import { ThrownValueError } from '../../src/execution/thrown.ts';
import {
  AdmissionError,
  HandlerTimeoutError,
  PermanentError,
  TemporaryError,
} from '../../src/model/errors.ts';
import { newPatch } from '../../src/model/patch.ts';

const operatorUrl = new URL('../fixtures/execution/operator.ts', import.meta.url).href;
const brokenUrl = new URL('../fixtures/execution/broken.ts', import.meta.url).href;
await import(operatorUrl);

const pool = new WorkerPool({ moduleUrls: [operatorUrl], minThreads: 1, maxThreads: 2 });
test.after.always(() => pool.close({ force: true }));

function handler(id: string): InvocableHandler {
  const found = getDefaultRegistry()
    .all()
    .find((h) => h.id === id);
  if (!found) throw new Error(`fixture handler ${id} is not registered`);
  return found;
}

/** A logger that records calls as [level, ...args]. */
function recordingLogger(): { calls: unknown[][] } & Record<string, (...args: unknown[]) => void> {
  const calls: unknown[][] = [];
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      calls.push([level, ...args]);
    };
  return Object.assign(
    { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    { calls },
  ) as never;
}

/** The fixture handler with its errors mode set to 'permanent' (so that a failure is final). */
function permanent(id: string): InvocableHandler {
  return { ...handler(id), errors: 'permanent' };
}

function run(
  id: string,
  kwargs: Record<string, unknown> = {},
  extra: Partial<Parameters<typeof invokeHandler>[0]> = {},
) {
  return invokeHandler({
    handler: handler(id),
    kwargs: { logger: recordingLogger(), patch: newPatch(), ...kwargs },
    pool,
    ...extra,
  });
}

/** Resolves when a handler sets the shared cell (it is running): polls with a 20 s deadline. */
async function started(cell: SharedArrayBuffer): Promise<void> {
  const view = new Int32Array(cell);
  const deadline = Date.now() + 20_000;
  while (Atomics.load(view, 0) === 0) {
    if (Date.now() > deadline) throw new Error('the handler did not start within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

test('a sync handler runs in another thread, in worker mode; an async one and offload:false run inline', async (t) => {
  const pooled = await run('whoami');
  t.is(pooled.placement, 'pool');
  const where = pooled.outcome.result as { threadId: number; worker: boolean };
  t.not(where.threadId, threadId);
  t.true(where.worker);
  for (const id of ['whoami_async', 'whoami_inline']) {
    const inline = await run(id);
    t.is(inline.placement, 'inline');
    t.deepEqual(inline.outcome.result, { threadId, worker: false });
  }
  t.deepEqual(pooled.lines, [
    { level: 'debug', message: "Handler 'whoami' is invoked." },
    { level: 'info', message: "Handler 'whoami' succeeded." },
  ]);
});

test('kwargs cross as plain data (a Date stays a Date)', async (t) => {
  const startedAt = new Date('2024-01-02T03:04:05Z');
  const { outcome } = await run('echo', {
    spec: { a: [1, 2] },
    param: { p: 1 },
    retry: 2,
    started: startedAt,
    name: 'obj',
    memo: { local: true },
  });
  t.deepEqual(outcome.result, {
    spec: { a: [1, 2] },
    param: { p: 1 },
    retry: 2,
    started: startedAt,
    startedIsDate: true,
    name: 'obj',
  });
});

test('TemporaryError keeps its class and delay across the pool', async (t) => {
  const { outcome, lines } = await run('raises_temporary');
  t.false(outcome.final);
  t.true(outcome.exception instanceof TemporaryError);
  t.is((outcome.exception as TemporaryError).delay, 7);
  t.is(outcome.delay, 7);
  t.is(lines.at(-1)!.message, "Handler 'raises_temporary' failed temporarily: not yet");
  const now = await run('raises_temporary_now');
  t.is(now.outcome.delay, null);
  t.is((now.outcome.exception as TemporaryError).delay, null);
});

test('PermanentError, HandlerTimeoutError and AdmissionError (with its code) keep their classes', async (t) => {
  const permanent = await run('raises_permanent');
  t.true(permanent.outcome.final);
  t.true(permanent.outcome.exception instanceof PermanentError);
  t.is(permanent.lines.at(-1)!.message, "Handler 'raises_permanent' failed permanently: never");
  const timeout = await run('raises_timeout');
  t.true(timeout.outcome.exception instanceof HandlerTimeoutError);
  const admission = await run('raises_admission');
  t.true(admission.outcome.exception instanceof AdmissionError);
  t.is((admission.outcome.exception as AdmissionError).code, 403);
  t.is(admission.outcome.exception!.message, 'forbidden here');
});

test('other errors keep their name, message and the stack from the worker', async (t) => {
  const { outcome, lines } = await run('raises_range');
  t.true(outcome.exception instanceof RangeError);
  t.is(outcome.exception!.name, 'RangeError');
  t.is(outcome.exception!.message, 'out of range');
  t.regex(outcome.exception!.stack ?? '', /operator\.ts/);
  t.is(
    lines.at(-1)!.message,
    "Handler 'raises_range' failed with an exception and will try again in 60 seconds: out of range",
  );
});

test('a thrown string or undefined in a worker is described clearly', async (t) => {
  const str = await run('throws_string');
  t.true(str.outcome.exception instanceof ThrownValueError);
  t.is(str.outcome.exception!.message, 'boom (a string was thrown instead of an Error)');
  const undef = await run('throws_undefined', {}, { handler: permanent('throws_undefined') });
  t.true(undef.outcome.final);
  t.is(
    undef.lines.at(-1)!.message,
    "Handler 'throws_undefined' failed with an exception and will stop now: undefined was thrown instead of an Error",
  );
});

test('log records come back in order, with their fields; patch changes are merged into the patch', async (t) => {
  const logger = recordingLogger();
  const patch = newPatch({ status: { earlier: 'kept' } });
  const { outcome } = await run('logs_and_patches', { logger, patch });
  t.is(outcome.result, 'ok');
  t.deepEqual(logger.calls, [
    ['info', 'first'],
    ['warn', 'second 2'],
    ['error', { key: 'v' }, 'third'],
    ['debug', { step: 4 }, 'fourth'],
  ]);
  t.deepEqual(patch.status, { earlier: 'kept', done: true });
  t.deepEqual(patch.metadata.labels, { stage: 'patched' });
  t.deepEqual(patch.spec, { replicas: 3 });
});

test('patch changes and logs made before a failure are kept too', async (t) => {
  const logger = recordingLogger();
  const patch = newPatch();
  const { outcome } = await run('patches_then_fails', { logger, patch });
  t.is(outcome.delay, 1);
  t.deepEqual(patch.status, { partial: 1 });
  t.deepEqual(logger.calls, [['info', 'before the failure']]);
});

test('a crashing worker (process.exit) is a failed attempt, and the pool keeps working', async (t) => {
  const crashed = await run('crashes');
  t.false(crashed.outcome.final);
  t.is(crashed.outcome.delay, 60);
  t.true(crashed.outcome.exception instanceof WorkerFailedError);
  t.regex(crashed.outcome.exception!.message, /sync handler 'crashes' failed: .*exited with code: 3/);
  const after = await run('whoami');
  t.true(after.outcome.final);
  t.true((after.outcome.result as { worker: boolean }).worker);
});

test('cancellation by AbortSignal terminates the running handler and rejects; the pool keeps working', async (t) => {
  const cell = new SharedArrayBuffer(4);
  const controller = new AbortController();
  const pending = run('spins', { param: cell }, { signal: controller.signal });
  await started(cell);
  controller.abort();
  const err = await t.throwsAsync(pending, { instanceOf: HandlerCancelledError });
  t.deepEqual(err!.lines.at(-1), { level: 'warn', message: "Handler 'spins' is cancelled. Will escalate." });
  t.true((await run('whoami')).outcome.final);
});

test('a hard deadline (timeoutMs) terminates the thread and fails the attempt', async (t) => {
  const { outcome } = await run(
    'sleeps',
    { param: 60_000 },
    { timeoutMs: 200, handler: permanent('sleeps') },
  );
  t.true(outcome.final);
  t.true(outcome.exception instanceof WorkerFailedError);
  t.regex(outcome.exception!.message, /'sleeps' was terminated after 200 ms/);
});

test('the stopped flag reaches the worker: a sync wait() wakes when the main thread sets it', async (t) => {
  const flag = new SharedStopFlag();
  const cell = new SharedArrayBuffer(4);
  const pending = run('waits_stopped', { param: cell }, { stopFlag: flag });
  await started(cell);
  flag.set('test');
  const { outcome } = await pending;
  t.deepEqual(outcome.result, { before: false, set: true });
});

test('a result that cannot be cloned fails with a message naming the handler and the ways out', async (t) => {
  const { outcome } = await run('returns_function', {}, { handler: permanent('returns_function') });
  t.true(outcome.exception instanceof TypeError);
  t.is(
    outcome.exception!.message,
    "The result of the sync handler 'returns_function' cannot be sent back from its worker thread: the result.callback is a function. " +
      'Return plain data, or make it async, or register it with { offload: false }.',
  );
});

test('arguments that cannot be cloned (a function, a class instance with methods) fail before reaching a worker', async (t) => {
  const fn = await run('echo', { param: { callback: () => 1 } });
  t.true(fn.outcome.exception instanceof TypeError);
  t.regex(
    fn.outcome.exception!.message,
    /sync handler 'echo' cannot be sent to a worker thread: kwargs\.param\.callback is a function\. Make the handler async, or register it with \{ offload: false \}\./,
  );
  class Client {
    get(): number {
      return 1;
    }
  }
  const instance = await run('echo', { spec: { client: new Client() } });
  t.regex(
    instance.outcome.exception!.message,
    /kwargs\.spec\.client is an instance of Client, whose methods would be lost/,
  );
});

test('memo used in a worker fails with a clear error', async (t) => {
  const { outcome } = await run('uses_memo', { memo: { real: true } });
  t.regex(
    outcome.exception!.message,
    /'memo' is not available to the sync handler 'uses_memo'.*memo does not cross threads.*make the handler async, or register it with \{ offload: false \}/i,
  );
});

test('a handler unknown in the worker fails with a message naming it and the way out', async (t) => {
  const late: InvocableHandler = {
    id: 'registered_at_run_time',
    kind: 'changing',
    fn: function registered_at_run_time() {},
    isAsync: false,
  };
  const { outcome } = await invokeHandler({ handler: { ...late, errors: 'permanent' }, kwargs: {}, pool });
  t.true(outcome.final);
  t.regex(
    outcome.exception!.message,
    /The sync handler 'registered_at_run_time' is not registered in the worker thread/,
  );
  t.regex(outcome.exception!.message, /make it async, or register it with \{ offload: false \}/);
});

test('an operator file that cannot be loaded in the worker fails with a message naming the file', async (t) => {
  const broken = new WorkerPool({ moduleUrls: [brokenUrl], maxThreads: 1 });
  t.teardown(() => broken.close({ force: true }));
  const { outcome } = await invokeHandler({ handler: permanent('whoami'), kwargs: {}, pool: broken });
  t.regex(
    outcome.exception!.message,
    /The sync handler 'whoami' cannot run on the worker pool: The operator file .*broken\.ts failed to load: Error: this operator file is broken on purpose \(in a worker thread\)/,
  );
  t.regex(outcome.exception!.message, /broken on purpose/);
});

test('workers register the same handlers as the main thread', async (t) => {
  t.deepEqual(await pool.registeredIds(), getDefaultRegistry().handlerIds());
});

test('a full queue is a failed attempt, not a lost one', async (t) => {
  const tiny = new WorkerPool({ moduleUrls: [operatorUrl], minThreads: 1, maxThreads: 1, maxQueue: 1 });
  t.teardown(() => tiny.close({ force: true }));
  const cell = new SharedArrayBuffer(4);
  const controller = new AbortController();
  const busy = invokeHandler({
    handler: handler('spins'),
    kwargs: { param: cell },
    pool: tiny,
    signal: controller.signal,
  });
  await started(cell);
  const queued = invokeHandler({ handler: handler('trivial'), kwargs: {}, pool: tiny });
  const rejected = await invokeHandler({ handler: permanent('trivial'), kwargs: {}, pool: tiny });
  t.true(rejected.outcome.exception instanceof WorkerFailedError);
  t.regex(rejected.outcome.exception!.message, /queue is at limit/i);
  controller.abort();
  await t.throwsAsync(busy, { instanceOf: HandlerCancelledError });
  t.is((await queued).outcome.result, 1);
});
