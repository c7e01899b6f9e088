// What cannot cross to a worker thread, found with its path; and the main-thread side of the shared stop flag.
import test from 'ava';
import { findUncloneable } from '../../src/execution/cloneable.ts';
import { DaemonStoppingReason, SharedStopFlag, WorkerStopFlag } from '../../src/execution/stop-flag.ts';

test('plain data, Dates, Maps, Sets, typed arrays, errors and cycles cross', (t) => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const value = {
    d: new Date(),
    m: new Map([['k', 1]]),
    s: new Set([1]),
    u: new Uint8Array(2),
    e: new Error('x'),
    c: cyclic,
    n: null,
    list: [1, 'a', { b: true }],
  };
  t.is(findUncloneable(value, 'kwargs'), null);
  t.is(findUncloneable(Object.create(null), 'kwargs'), null);
});

test('functions, symbols and class instances with methods are named with their path', (t) => {
  class Client {
    call(): void {}
  }
  class Data {
    x = 1;
  }
  t.is(findUncloneable({ a: [{ f: () => 1 }] }, 'kwargs'), 'kwargs.a[0].f is a function');
  t.is(findUncloneable({ 'odd key': Symbol('s') }, 'kwargs'), 'kwargs["odd key"] is a symbol');
  t.is(findUncloneable({ m: new Map([['k', () => 1]]) }, 'kwargs'), 'kwargs.m.get("k") is a function');
  t.is(
    findUncloneable({ c: new Client() }, 'the result'),
    'the result.c is an instance of Client, whose methods would be lost',
  );
  t.is(findUncloneable({ d: new Data() }, 'kwargs'), null);
  t.is(
    findUncloneable(() => 1, 'the result'),
    'the result is a function',
  );
});

test('SharedStopFlag: wait() resolves true when set, false after its timeout; later set() calls add reasons', async (t) => {
  const flag = new SharedStopFlag();
  t.false(flag.isSet());
  t.is(flag.reason, null);
  t.deepEqual(flag.reasons, []);
  t.false(await flag.wait(0.01));
  const waiting = flag.wait();
  flag.set(DaemonStoppingReason.RESOURCE_DELETED);
  flag.set(DaemonStoppingReason.DAEMON_CANCELLED);
  t.true(await waiting);
  t.true(flag.isSet());
  t.is(flag.reason, 'RESOURCE_DELETED');
  t.deepEqual(flag.reasons, ['RESOURCE_DELETED', 'DAEMON_CANCELLED']);
  t.true(await flag.wait(100));
});

test('WorkerStopFlag reads the same set flag and reasons from the shared memory', (t) => {
  const flag = new SharedStopFlag();
  const view = new WorkerStopFlag(flag.buffer);
  t.false(view.isSet());
  t.false(view.wait(0.01));
  flag.set(DaemonStoppingReason.OPERATOR_EXITING);
  t.true(view.isSet());
  t.true(view.wait());
  t.is(view.reason, 'OPERATOR_EXITING');
});
