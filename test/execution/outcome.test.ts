// Kopf's classification of one attempt (kopf-behavior §4.4), branch by branch, with its exact log lines.
import test from 'ava';
import {
  checkBeforeAttempt,
  classifyFailure,
  classifySuccess,
  defaultErrorsMode,
  failureMessage,
  formatRuntime,
  invokedLine,
  kindWord,
  type AttemptPolicy,
  type AttemptState,
} from '../../src/execution/outcome.ts';
import { ThrownValueError, describeThrown } from '../../src/execution/thrown.ts';
import {
  AdmissionError,
  HandlerChildrenRetry,
  HandlerRetriesError,
  HandlerTimeoutError,
  PermanentError,
  TemporaryError,
} from '../../src/model/errors.ts';

const fresh: AttemptState = { retries: 0, runtime: 0 };
const h = (extra: Partial<AttemptPolicy> = {}): AttemptPolicy => ({ id: 'fn', ...extra });

test('success is final, keeps the result and logs "succeeded." at info', (t) => {
  const { outcome, lines } = classifySuccess(h(), fresh, { x: 1 });
  t.deepEqual(outcome, { final: true, result: { x: 1 } });
  t.deepEqual(lines, [{ level: 'info', message: "Handler 'fn' succeeded." }]);
});

test('the debug line before each attempt and the kind words', (t) => {
  t.deepEqual(invokedLine(h(), fresh), { level: 'debug', message: "Handler 'fn' is invoked." });
  const words = ['changing', 'event', 'daemon', 'timer', 'activity', 'webhook', 'index'].map(kindWord);
  t.deepEqual(words, ['Handler', 'Handler', 'Daemon', 'Timer', 'Activity', 'Webhook', 'Indexer']);
  t.is(classifySuccess(h({ kind: 'timer' }), fresh, 1).lines[0]!.message, "Timer 'fn' succeeded.");
  t.is(
    classifySuccess(h({ kind: 'daemon' }), { ...fresh, word: 'Probe' }, 1).lines[0]!.message,
    "Probe 'fn' succeeded.",
  );
});

test('before an attempt: nothing to stop when neither timeout nor retries is reached', (t) => {
  t.is(checkBeforeAttempt(h({ timeout: 10, retries: 3 }), { retries: 2, runtime: 9.9 }), null);
  t.is(checkBeforeAttempt(h(), { retries: 1000, runtime: 1e6 }), null);
});

test('before an attempt: runtime >= timeout fails with HandlerTimeoutError and a timedelta', (t) => {
  const result = checkBeforeAttempt(h({ timeout: 60 }), { retries: 0, runtime: 61.5 });
  t.truthy(result);
  t.true(result!.outcome.final);
  t.true(result!.outcome.exception instanceof HandlerTimeoutError);
  t.is(result!.lines[0]!.message, "Handler 'fn' has timed out after 0:01:01.500000.");
  t.is(failureMessage(result!.outcome), "Handler 'fn' has timed out after 0:01:01.500000.");
});

test('before an attempt: retries so far >= retries fails with HandlerRetriesError', (t) => {
  const result = checkBeforeAttempt(h({ retries: 3 }), { retries: 3, runtime: 0 });
  t.true(result!.outcome.final);
  t.true(result!.outcome.exception instanceof HandlerRetriesError);
  t.deepEqual(result!.lines, [{ level: 'error', message: "Handler 'fn' has exceeded 3 retries." }]);
});

test('TemporaryError: retried after its delay', (t) => {
  const err = new TemporaryError('wait', { delay: 7 });
  const { outcome, lines } = classifyFailure(h(), fresh, err);
  t.deepEqual(outcome, { final: false, exception: err, delay: 7 });
  t.deepEqual(lines, [{ level: 'error', message: "Handler 'fn' failed temporarily: wait" }]);
});

test('TemporaryError: look-ahead on timeout (runtime + delay >= timeout) fails now', (t) => {
  const { outcome, lines } = classifyFailure(
    h({ timeout: 30 }),
    { retries: 0, runtime: 25 },
    new TemporaryError('wait', { delay: 5 }),
  );
  const msg = "Handler 'fn' failed temporarily but will time out after 30 seconds: wait";
  t.true(outcome.final);
  t.true(outcome.exception instanceof HandlerTimeoutError);
  t.is(outcome.exception!.message, msg);
  t.deepEqual(lines, [{ level: 'error', message: msg }]);
  // One second short of the timeout: still retried.
  t.false(
    classifyFailure(h({ timeout: 30 }), { retries: 0, runtime: 24 }, new TemporaryError('wait', { delay: 5 }))
      .outcome.final,
  );
});

test('TemporaryError: delay null counts as 0 in the look-ahead and is kept in the outcome', (t) => {
  const { outcome } = classifyFailure(
    h({ timeout: 30 }),
    { retries: 0, runtime: 29 },
    new TemporaryError('now', { delay: null }),
  );
  t.false(outcome.final);
  t.is(outcome.delay, null);
});

test('TemporaryError: look-ahead on retries (retries + 1 >= retries) fails now', (t) => {
  const { outcome, lines } = classifyFailure(
    h({ retries: 3 }),
    { retries: 2, runtime: 0 },
    new TemporaryError('wait'),
  );
  const msg = "Handler 'fn' failed temporarily but will exceed 3 retries: wait";
  t.true(outcome.final);
  t.true(outcome.exception instanceof HandlerRetriesError);
  t.deepEqual(lines, [{ level: 'error', message: msg }]);
  t.false(
    classifyFailure(h({ retries: 3 }), { retries: 1, runtime: 0 }, new TemporaryError('wait')).outcome.final,
  );
});

test('TemporaryError: the timeout look-ahead wins over the retries look-ahead', (t) => {
  const { outcome } = classifyFailure(
    h({ timeout: 10, retries: 1 }),
    { retries: 0, runtime: 0 },
    new TemporaryError('x', { delay: 10 }),
  );
  t.true(outcome.exception instanceof HandlerTimeoutError);
});

test('HandlerChildrenRetry: not final, its delay, a debug line only', (t) => {
  const err = new HandlerChildrenRetry('children', { delay: 3 });
  const { outcome, lines } = classifyFailure(h({ retries: 1 }), fresh, err);
  t.deepEqual(outcome, { final: false, exception: err, delay: 3 });
  t.deepEqual(lines, [
    { level: 'debug', message: "Handler 'fn' has unfinished sub-handlers. Will retry soon." },
  ]);
});

test('PermanentError (and AdmissionError) fail for good', (t) => {
  for (const err of [new PermanentError('bad'), new AdmissionError('bad', { code: 400 })]) {
    const { outcome, lines } = classifyFailure(h(), fresh, err);
    t.deepEqual(outcome, { final: true, exception: err });
    t.deepEqual(lines, [{ level: 'error', message: "Handler 'fn' failed permanently: bad" }]);
  }
});

test('HandlerTimeoutError/HandlerRetriesError raised by a handler are logged as they are', (t) => {
  const { outcome, lines } = classifyFailure(h(), fresh, new HandlerRetriesError('enough'));
  t.true(outcome.final);
  t.deepEqual(lines, [{ level: 'error', message: 'enough' }]);
});

test('arbitrary error, temporary mode: retried after the handler backoff, else the default backoff, else 60', (t) => {
  const err = new Error('oops');
  const own = classifyFailure(h({ backoff: 5 }), { ...fresh, defaultBackoff: 30 }, err);
  t.deepEqual(own.outcome, { final: false, exception: err, delay: 5 });
  t.deepEqual(own.lines, [
    {
      level: 'error',
      message: "Handler 'fn' failed with an exception and will try again in 5 seconds: oops",
      exception: err,
    },
  ]);
  t.is(classifyFailure(h(), { ...fresh, defaultBackoff: 30 }, err).outcome.delay, 30);
  t.is(classifyFailure(h(), fresh, err).outcome.delay, 60);
});

test('arbitrary error, temporary mode: look-ahead on timeout uses the backoff', (t) => {
  const { outcome, lines } = classifyFailure(
    h({ timeout: 100, backoff: 50 }),
    { retries: 0, runtime: 50 },
    new Error('oops'),
  );
  const msg =
    "Handler 'fn' failed with an exception and will stop now (it would time out in 100 seconds on the next attempt): oops";
  t.true(outcome.final);
  t.true(outcome.exception instanceof HandlerTimeoutError);
  t.is(lines[0]!.message, msg);
});

test('arbitrary error, temporary mode: look-ahead on retries', (t) => {
  const { outcome, lines } = classifyFailure(h({ retries: 1 }), fresh, new Error('oops'));
  t.true(outcome.final);
  t.true(outcome.exception instanceof HandlerRetriesError);
  t.is(
    lines[0]!.message,
    "Handler 'fn' failed with an exception and will stop now (it would exceed 1 retries on the next attempt): oops",
  );
});

test('arbitrary error, permanent mode: fails now', (t) => {
  const err = new Error('oops');
  const { outcome, lines } = classifyFailure(h({ errors: 'permanent' }), fresh, err);
  t.deepEqual(outcome, { final: true, exception: err });
  t.is(lines[0]!.message, "Handler 'fn' failed with an exception and will stop now: oops");
});

test('arbitrary error, ignored mode: a success without result, even past the look-aheads', (t) => {
  const { outcome, lines } = classifyFailure(
    h({ errors: 'ignored', retries: 1, timeout: 1 }),
    { retries: 0, runtime: 5 },
    new Error('oops'),
  );
  t.deepEqual(outcome, { final: true });
  t.is(lines[0]!.message, "Handler 'fn' failed with an exception and will ignore it: oops");
  t.is(failureMessage(outcome), null);
});

test('default errors modes by kind (§1.3), overridable by the caller', (t) => {
  t.deepEqual(
    ['changing', 'daemon', 'timer', 'activity', 'event', 'index', 'webhook', undefined].map(
      defaultErrorsMode,
    ),
    ['temporary', 'temporary', 'temporary', 'temporary', 'ignored', 'ignored', 'permanent', 'temporary'],
  );
  t.true(classifyFailure(h({ kind: 'event' }), fresh, new Error('x')).outcome.final);
  t.true(classifyFailure(h({ kind: 'webhook' }), fresh, new Error('x')).outcome.exception instanceof Error);
  t.false(
    classifyFailure(h({ kind: 'event' }), { ...fresh, defaultErrors: 'temporary' }, new Error('x')).outcome
      .final,
  );
});

test('thrown non-Error values are classified as arbitrary errors and described clearly', (t) => {
  const cases: [unknown, string][] = [
    ['boom', 'boom (a string was thrown instead of an Error)'],
    [42, '42 (a number was thrown instead of an Error)'],
    [undefined, 'undefined was thrown instead of an Error'],
    [null, 'null was thrown instead of an Error'],
    [{ code: 7 }, '{"code":7} (an object was thrown instead of an Error)'],
    ['', '"" (a string was thrown instead of an Error)'],
  ];
  for (const [thrown, text] of cases) {
    const { outcome, lines } = classifyFailure(h(), fresh, thrown);
    t.true(outcome.exception instanceof ThrownValueError);
    t.is((outcome.exception as ThrownValueError).value, thrown);
    t.is(
      lines[0]!.message,
      `Handler 'fn' failed with an exception and will try again in 60 seconds: ${text}`,
    );
  }
});

test('an Error without a message is described by its name, like repr()', (t) => {
  t.is(describeThrown(new TemporaryError()), 'TemporaryError()');
  t.is(
    classifyFailure(h(), fresh, new TemporaryError()).lines[0]!.message,
    "Handler 'fn' failed temporarily: TemporaryError()",
  );
});

test('subrefs given by the caller are kept in every outcome', (t) => {
  const state = { ...fresh, subrefs: ['fn/a', 'fn/b'] };
  t.deepEqual(classifySuccess(h(), state, null).outcome.subrefs, ['fn/a', 'fn/b']);
  t.deepEqual(classifyFailure(h(), state, new TemporaryError('x')).outcome.subrefs, ['fn/a', 'fn/b']);
});

test('formatRuntime prints like Python timedelta', (t) => {
  t.is(formatRuntime(0), '0:00:00');
  t.is(formatRuntime(65), '0:01:05');
  t.is(formatRuntime(3600 * 5 + 0.25), '5:00:00.250000');
  t.is(formatRuntime(86400 + 7), '1 day, 0:00:07');
  t.is(formatRuntime(2 * 86400), '2 days, 0:00:00');
});
