// The pure parts of the liveness endpoint, no cluster: Kopf's URL rules (http only, localhost and port 80 by
// default, `http://:PORT`), kopf-ts's /healthz for a URL without a path, and the errors for bad values; the
// answer's caching (one collection per period, shared by concurrent requests, failures not kept), the
// omission of null results, unserialisable results and the event-loop lag reported as reasons.
import test from 'ava';
import { parseLivenessEndpoint, LivenessEndpointError } from '../../src/observe/liveness-endpoint.ts';
import { Liveness, type ProbeCollection } from '../../src/observe/liveness.ts';
import type { EventLoopLag } from '../../src/observe/event-loop-lag.ts';

test("Kopf's URL rules and defaults", (t) => {
  t.deepEqual(parseLivenessEndpoint('http://0.0.0.0:8080/healthz'), {
    host: '0.0.0.0',
    port: 8080,
    path: '/healthz',
  });
  t.deepEqual(parseLivenessEndpoint('http://:8080/probe'), { host: 'localhost', port: 8080, path: '/probe' });
  t.deepEqual(parseLivenessEndpoint('http://example.com'), {
    host: 'example.com',
    port: 80,
    path: '/healthz',
  });
  t.deepEqual(parseLivenessEndpoint('http://[::]:9/'), { host: '::', port: 9, path: '/' });
  t.deepEqual(parseLivenessEndpoint('HTTP://127.0.0.1:0/a/b'), { host: '127.0.0.1', port: 0, path: '/a/b' });
});

test('bad values: a clear error each', (t) => {
  for (const [value, message] of [
    ['', /is empty/],
    ['8080', /is not a URL: e\.g\. http:\/\/0\.0\.0\.0:8080\/healthz/],
    ['https://0.0.0.0/healthz', /Unsupported scheme .* only http:\/\/ is served/],
    ['tcp://0.0.0.0:8080', /Unsupported scheme/],
    ['http://0.0.0.0:99999/', /is not a URL/],
    ['http://user:pw@0.0.0.0/', /credentials, a query or a fragment/],
  ] as const) {
    const err = t.throws(() => parseLivenessEndpoint(value), { instanceOf: LivenessEndpointError }, value);
    t.regex(err.message, message);
  }
});

function sources(
  collect: () => Promise<ProbeCollection>,
  extra: { problems?: string[]; lag?: number; cachingPeriod?: number } = {},
) {
  return {
    collect,
    problems: () => extra.problems ?? [],
    settings: () => ({ cachingPeriod: extra.cachingPeriod ?? 10, eventLoopLagLimit: 5 }),
    lag: { worst: () => extra.lag ?? 0 } as unknown as EventLoopLag,
  };
}

test('one collection per caching period, shared by concurrent requests; null results left out', async (t) => {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const liveness = new Liveness(
    sources(async () => {
      calls++;
      await gate;
      return { results: { calls, nothing: null, missing: undefined, obj: { a: [1] } }, failures: [] };
    }),
  );
  const pending = [liveness.report(), liveness.report(), liveness.report()];
  release();
  const answers = await Promise.all(pending);
  for (const a of answers) t.deepEqual(a, { status: 200, body: { calls: 1, obj: { a: [1] } } });
  t.deepEqual(await liveness.report(), answers[0]);
  t.is(calls, 1);
});

test('failures make a 500 with the reasons and are not kept: the next request collects again', async (t) => {
  let calls = 0;
  const liveness = new Liveness(
    sources(
      async () => {
        calls++;
        return calls === 1
          ? { results: { ok: 1 }, failures: ["Probe 'bad' failed: boom"] }
          : { results: { ok: 1, big: 10n }, failures: [] };
      },
      { problems: ['a watch is down'], lag: 7 },
    ),
  );
  const first = await liveness.report();
  t.is(first.status, 500);
  t.deepEqual(first.body, {
    reasons: [
      "Probe 'bad' failed: boom",
      'a watch is down',
      'The event loop was blocked for 7.0 s within the last 10 s (the limit is 5 s).',
    ],
    probes: { ok: 1 },
  });
  const second = await liveness.report();
  t.is(calls, 2);
  t.regex((second.body.reasons as string[])[0]!, /^Probe 'big' returned what JSON cannot hold: .*BigInt/);
});
