// Inline invocation: the per-invocation context, the strict checks that stop a call, placement without
// operator files, cancellation before the call, log replay, and the engine's older `attempt()` entry.
import test from 'ava';
import { attempt } from '../../src/execution/attempt.ts';
import {
  HandlerCancelledError,
  invocationContext,
  invokeHandler,
  placementOf,
  replayLogs,
  type InvocableHandler,
} from '../../src/execution/invoke.ts';
import { WorkerPool } from '../../src/execution/pool.ts';
import { TemporaryError } from '../../src/model/errors.ts';

// A pool without operator files: sync handlers cannot be offloaded and run inline; its threads never start.
const pool = new WorkerPool();

const make = (fn: (kwargs: any) => unknown, extra: Partial<InvocableHandler> = {}): InvocableHandler => ({
  id: fn.name || 'anonymous',
  kind: 'changing',
  fn,
  isAsync: fn.constructor.name === 'AsyncFunction',
  ...extra,
});

test('an inline handler sees its invocation context (handler, kwargs, caller data), also after an await', async (t) => {
  const seen: unknown[] = [];
  const h = make(async function ctx_fn(kwargs) {
    seen.push(invocationContext.getStore()?.handler.id, invocationContext.getStore()?.kwargs === kwargs);
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(invocationContext.getStore()?.data.cause);
    return 'done';
  });
  const { outcome, placement } = await invokeHandler({
    handler: h,
    kwargs: { spec: {} },
    pool,
    context: { cause: 'create' },
  });
  t.is(outcome.result, 'done');
  t.is(placement, 'inline');
  t.deepEqual(seen, ['ctx_fn', true, 'create']);
  t.is(invocationContext.getStore(), undefined);
});

test('the context is one per process (on a global symbol)', (t) => {
  t.is((globalThis as Record<symbol, unknown>)[Symbol.for('kopf-ts.execution-context')], invocationContext);
});

test('a sync handler runs inline when offload is false or no operator files are known', (t) => {
  const sync = make(function s() {});
  t.is(placementOf(sync, ['file:///op.ts']), 'pool');
  t.is(placementOf({ ...sync, offload: false }, ['file:///op.ts']), 'inline');
  t.is(placementOf(sync, []), 'inline');
  t.is(
    placementOf(
      make(async function a() {}),
      ['file:///op.ts'],
    ),
    'inline',
  );
});

test('the strict checks stop an attempt without calling the handler', async (t) => {
  let called = 0;
  const h = make(() => called++, { id: 'limited', retries: 2 });
  const result = await invokeHandler({ handler: h, kwargs: { retry: 2, runtime: 0 }, pool });
  t.is(called, 0);
  t.is(result.placement, null);
  t.deepEqual(
    result.lines.map((l) => l.message),
    ["Handler 'limited' is invoked.", "Handler 'limited' has exceeded 2 retries."],
  );
});

test('retries and runtime come from the kwargs unless given', async (t) => {
  const h = make(
    () => {
      throw new TemporaryError('again', { delay: 10 });
    },
    { id: 'timed', timeout: 60 },
  );
  t.false((await invokeHandler({ handler: h, kwargs: { runtime: 40 }, pool })).outcome.final);
  t.true((await invokeHandler({ handler: h, kwargs: { runtime: 50 }, pool })).outcome.final);
  t.false((await invokeHandler({ handler: h, kwargs: { runtime: 50 }, pool, runtime: 0 })).outcome.final);
});

test('a synchronous throw of a non-Error value inline is classified and described', async (t) => {
  const h = make(
    () => {
      throw 42;
    },
    { id: 'num', errors: 'permanent' },
  );
  const { outcome, lines } = await invokeHandler({ handler: h, kwargs: {}, pool });
  t.true(outcome.final);
  t.is(
    lines.at(-1)!.message,
    "Handler 'num' failed with an exception and will stop now: 42 (a number was thrown instead of an Error)",
  );
});

test('an already aborted signal cancels before the call', async (t) => {
  let called = 0;
  const h = make(async function never() {
    called++;
  });
  const controller = new AbortController();
  controller.abort();
  const err = await t.throwsAsync(
    invokeHandler({ handler: h, kwargs: {}, pool, signal: controller.signal }),
    { instanceOf: HandlerCancelledError },
  );
  t.is(called, 0);
  t.is(err!.lines.at(-1)!.message, "Handler 'never' is cancelled. Will escalate.");
});

test('replayLogs calls the logger pino-style and maps trace/fatal when the logger lacks them', (t) => {
  const calls: unknown[][] = [];
  const logger = {
    debug: (...a: unknown[]) => calls.push(['debug', ...a]),
    error: (...a: unknown[]) => calls.push(['error', ...a]),
  };
  replayLogs(logger, [
    { level: 'trace', message: 't', bindings: {}, fields: {}, time: 1 },
    { level: 'fatal', message: 'f', bindings: {}, fields: { k: 1 }, time: 2 },
    { level: 'info', message: 'dropped: no such method', bindings: {}, fields: {}, time: 3 },
  ]);
  t.deepEqual(calls, [
    ['debug', 't'],
    ['error', { k: 1 }, 'f'],
  ]);
});

test('attempt() (the engine entry) logs Kopf lines and reports the failure message', async (t) => {
  const lines: string[] = [];
  const logger = {
    debug: (m: string) => lines.push(`D ${m}`),
    info: (m: string) => lines.push(`I ${m}`),
    error: (m: string) => lines.push(`E ${m}`),
  };
  const handler = { id: 'fn', errors: 'temporary' as const, timeout: null, retries: 3, backoff: null };
  const failed = await attempt({
    handler,
    retries: 2,
    runtime: 0,
    defaultBackoff: 60,
    logger,
    invoke: async () => Promise.reject(new TemporaryError('x')),
  });
  t.deepEqual(failed, {
    final: true,
    error: "Handler 'fn' failed temporarily but will exceed 3 retries: x",
    exception: failed.exception,
  });
  const ok = await attempt({
    handler,
    title: 'Activity',
    retries: 0,
    runtime: 0,
    defaultBackoff: 60,
    logger,
    invoke: async () => 5,
  });
  t.deepEqual(ok, { final: true, result: 5 });
  t.deepEqual(lines, [
    "D Handler 'fn' is invoked.",
    "E Handler 'fn' failed temporarily but will exceed 3 retries: x",
    "D Activity 'fn' is invoked.",
    "I Activity 'fn' succeeded.",
  ]);
});
