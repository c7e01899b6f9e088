// The Prometheus metrics (`kopf-ts run --metrics HOST:PORT`, docs/metrics.md) against the real control plane.
// examples/01-minimal runs as users run it (KopfRunner) with --metrics on the liveness endpoint's address; three
// objects are created; /metrics is scraped and parsed with a Prometheus text-format parser, and the figures are
// checked against what happened: three successful create runs of its handler (and three durations), three idle
// actors, the pool's tasks, the API requests by verb (the PATCHes no more than the API server itself counted).
// Bad --metrics values and a taken port are clear errors at start. Two operators embedded in one process each
// have their own metrics; events held while an object is busy are counted as coalesced, and watches closed by
// the server as restarts. docs/metrics.md and the Grafana dashboard name exactly what is exported.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import * as kopf from '../../src/index.ts';
import { createRootLogger, type Logger } from '../../src/observe/log.ts';
import { createObject, patchObject } from '../../src/kube/objects.ts';
import { testCluster, eventually, rawRequest, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { Scrape, scrape } from '../helpers/prometheus.ts';
import { assertTakenPortFails, untilExit } from '../helpers/example.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/01-minimal/operator.ts', import.meta.url));
const DOC = readFileSync(fileURLToPath(new URL('../../docs/metrics.md', import.meta.url)), 'utf8');
const DASHBOARD = readFileSync(
  fileURLToPath(new URL('../../docs/grafana-dashboard.json', import.meta.url)),
  'utf8',
);

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/** The API server's own /metrics, parsed. */
async function apiserverMetrics(): Promise<Scrape> {
  const res = await rawRequest(cluster.kc, 'GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics of the API server: ${res.status}`);
  return new Scrape(res.json as string);
}

/** PATCHes of KopfExamples (and their status) the API server answered so far. */
function serverPatches(s: Scrape): number {
  return s.sum('apiserver_request_total', { resource: 'kopfexamples', verb: 'PATCH' });
}

function operator(args: string[], env: NodeJS.ProcessEnv = {}): KopfRunner {
  return new KopfRunner(['run', '--standalone', '-n', cluster.namespace, ...args], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, ...env },
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  });
}

test.serial(
  'an example run: 3 objects created → 3 successful create runs, 3 idle actors, API requests by verb',
  async (t) => {
    const op = operator([
      '--liveness',
      'http://127.0.0.1:0/healthz',
      '--metrics',
      '127.0.0.1:0',
      EXAMPLE,
    ]).start();
    const user = kubeClient(cluster);
    try {
      const health = (
        await op.waitFor(/Serving health status at (http:\/\/127\.0\.0\.1:\d+)\/healthz/, 60_000)
      )[1]!;
      const url = (await op.waitFor(/Serving metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/, 60_000))[1]!;
      t.is(url, `${health}/metrics`, 'the same HOST:PORT as --liveness: one server serves both');
      await op.waitFor(/Watching kopfexamples/, 60_000);
      t.is((await fetch(`${health}/healthz`)).status, 200, 'the liveness endpoint still answers');

      // The initial state's request: a streaming WATCH where the server serves it (counted as the list it
      // replaces), else a LIST; it may follow the log line, so it is waited for.
      const idle = await eventually(async () => {
        const s = await scrape(url);
        return s.sum('kopf_ts_api_requests_total', { verb: 'list', resource: 'kopfexamples', code: '200' }) >=
          1
          ? s
          : null;
      }, 'the listing request counted');
      t.is(idle.sum('kopf_ts_handler_runs_total'), 0, 'nothing ran yet');
      t.is(idle.sum('kopf_ts_object_actors'), 0);
      const serverBefore = serverPatches(await apiserverMetrics());
      const oursBefore = idle.sum('kopf_ts_api_requests_total', { verb: 'patch', resource: /^kopfexamples/ });

      for (const name of ['m-1', 'm-2', 'm-3'])
        await createObject(user, KEX_RESOURCE, kex(name), cluster.namespace);
      const done = await eventually(
        async () => {
          const s = await scrape(url);
          const handled = s.sum('kopf_ts_handler_runs_total', { handler: 'create_fn' }) === 3;
          return handled && s.sum('kopf_ts_object_actors', { state: 'idle' }) === 3 ? s : null;
        },
        'three create runs and three idle actors',
        30_000,
      );

      t.is(
        done.sum('kopf_ts_handler_runs_total', { handler: 'create_fn', cause: 'create', outcome: 'success' }),
        3,
      );
      t.is(done.sum('kopf_ts_handler_runs_total'), 3, 'no other runs, no other outcomes');
      t.is(done.sum('kopf_ts_handler_errors_total'), 0);
      t.is(done.histogramCount('kopf_ts_handler_duration_seconds'), 3, 'three durations observed');
      t.is(done.sum('kopf_ts_object_actors'), 3, 'three actors, all idle');
      t.is(done.family('kopf_ts_object_actors').type, 'GAUGE');
      t.is(done.sum('kopf_ts_object_actors_passivated'), 0);
      t.is(done.sum('kopf_ts_active_workers'), 0);
      t.true(
        done.sum('kopf_ts_watch_events_total', { resource: 'kopfexamples', type: 'ADDED' }) >= 3,
        'ADDED events',
      );
      // The plain handler ran on the pool: three tasks completed there.
      t.true(done.sum('kopf_ts_pool_tasks_completed_total') >= 3, 'pool tasks');
      t.true(done.sum('kopf_ts_pool_threads') >= 1, 'pool threads');
      t.is(done.sum('kopf_ts_pool_queue_length'), 0);
      // The API requests: every write was answered 2xx; our PATCHes are no more than the API server counted meanwhile.
      const patches =
        done.sum('kopf_ts_api_requests_total', { verb: 'patch', resource: /^kopfexamples/ }) - oursBefore;
      t.true(patches >= 3, `at least a patch per object (got ${patches})`);
      t.is(done.sum('kopf_ts_api_requests_total', { verb: 'patch', code: /^[^2]/ }), 0);
      t.is(done.family('kopf_ts_api_request_duration_seconds').type, 'HISTOGRAM');
      await eventually(
        async () => serverPatches(await apiserverMetrics()) - serverBefore >= patches,
        'the API server to count our PATCHes',
      );
      // The process and the loop, as every Prometheus client reports them.
      t.true(done.sum('process_resident_memory_bytes') > 0, 'RSS');
      t.truthy(done.family('nodejs_eventloop_lag_p99_seconds'));
      t.true(done.sum('kopf_ts_event_loop_lag_seconds') >= 0, 'lag');

      // docs/metrics.md lists every kopf_ts_ family exported, and the Grafana dashboard uses only exported ones.
      const exported = [...done.families.keys()].filter((n) => n.startsWith('kopf_ts_'));
      const documented = new Set([...DOC.matchAll(/^\| `(kopf_ts_\w+)` \|/gm)].map((m) => m[1]!));
      t.deepEqual([...documented].sort(), exported.sort());
      const used = new Set(
        [...DASHBOARD.matchAll(/\b((?:kopf_ts|process|nodejs)_\w+)/g)].map((m) =>
          m[1]!.replace(/_bucket$/, ''),
        ),
      );
      t.true(used.size >= 15, 'the dashboard uses the families');
      for (const name of used) t.true(done.families.has(name), `the dashboard's ${name} is exported`);
    } finally {
      await user.close();
      t.is(await op.stop(), 0);
    }
  },
);

/** Runs the example with these options until it exits by itself (bounded); its exit code and output. */
function exits(args: string[]): Promise<{ code: number | null | undefined; output: string }> {
  return untilExit(operator([...args, EXAMPLE]).start());
}

test.serial('a bad --metrics value is a clear error before anything starts', async (t) => {
  for (const [value, message] of [
    ['nonsense', /kopf-ts: The metrics endpoint "nonsense" is not HOST:PORT \(e\.g\. 0\.0\.0\.0:9090/],
    ['http://0.0.0.0:9090/metrics', /is not HOST:PORT: give the address only .*the path is always \/metrics/],
    ['127.0.0.1:70000', /has no valid port: 0 to 65535/],
  ] as const) {
    const { code, output } = await exits(['--metrics', value]);
    t.is(code, 1, output);
    t.regex(output, message);
    t.notRegex(output, /Watching| {4}at /, 'nothing started, no stack trace');
  }
});

test.serial('a taken --metrics port is a clear error at start', async (t) => {
  await assertTakenPortFails(t, exits, (port) => ['--metrics', `127.0.0.1:${port}`], 'The metrics endpoint');
});

/** A root logger that keeps its lines (JSON), for finding the metrics URL an embedded operator logs. */
function keptLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createRootLogger({ format: 'json', level: 'info', destination }), lines };
}

/** An operator embedded in this process with its own registry (`register` adds its handlers) and metrics. */
function embedded(which: string, register: () => void, settings?: kopf.OperatorSettings) {
  const registry = new kopf.Registry();
  kopf.setDefaultRegistry(registry);
  register();
  const { logger, lines } = keptLogger();
  const stop = new AbortController();
  const running = kopf.operator({
    registry,
    namespaces: [cluster.namespace],
    logger,
    signal: stop.signal,
    metricsEndpoint: '127.0.0.1:0',
    kubeconfig: cluster.kubeconfigPath,
    ...(settings ? { settings } : {}),
  });
  const url = eventually(
    () =>
      lines.map((l) => /Serving metrics at (http:\S+\/metrics)/.exec(JSON.parse(l).msg)?.[1]).find(Boolean),
    `operator ${which}'s metrics URL`,
    60_000,
  );
  return { which, stop, running, url };
}

test.serial('two operators embedded in one process each have their own metrics', async (t) => {
  const ns = cluster.namespace;
  const started = ['a', 'b'].map((which) =>
    embedded(which, () =>
      kopf.on.create('kopfexamples', { labels: { embedded: which } }, async function handler() {
        return which;
      }),
    ),
  );
  const user = kubeClient(cluster);
  try {
    const urls = await Promise.all(started.map((op) => op.url));
    t.not(urls[0], urls[1]);
    await createObject(user, KEX_RESOURCE, kex('e-a', { field: 1 }, { labels: { embedded: 'a' } }), ns);
    for (const name of ['e-b1', 'e-b2'])
      await createObject(user, KEX_RESOURCE, kex(name, { field: 1 }, { labels: { embedded: 'b' } }), ns);
    const [a, b] = await Promise.all(
      urls.map((url, i) =>
        eventually(async () => {
          const s = await scrape(url);
          // Each sees every object of the namespace (the first test's too); its reactions are over once all are idle.
          const actors = s.sum('kopf_ts_object_actors');
          const idle = actors >= 3 && s.sum('kopf_ts_object_actors', { state: 'idle' }) === actors;
          return idle && s.sum('kopf_ts_handler_runs_total', { outcome: 'success' }) === [1, 2][i] ? s : null;
        }, `operator ${'ab'[i]}'s runs`),
      ),
    );
    t.is(
      a!.sum('kopf_ts_handler_runs_total', { handler: 'handler', cause: 'create', outcome: 'success' }),
      1,
    );
    t.is(
      b!.sum('kopf_ts_handler_runs_total', { handler: 'handler', cause: 'create', outcome: 'success' }),
      2,
    );
    // Each counts its own client's requests: both listed, and each patched only its own objects.
    for (const s of [a!, b!])
      t.true(s.sum('kopf_ts_api_requests_total', { verb: 'list', resource: 'kopfexamples' }) >= 1);
    const patchesOf = (s: Scrape): number =>
      s.sum('kopf_ts_api_requests_total', { verb: 'patch', resource: /^kopfexamples/ });
    t.true(patchesOf(a!) >= 1);
    t.is(patchesOf(b!), 2 * patchesOf(a!), 'b patched two objects as a patched its one');
    t.is(a!.histogramCount('kopf_ts_handler_duration_seconds'), 1);
    t.is(b!.histogramCount('kopf_ts_handler_duration_seconds'), 2);
  } finally {
    await user.close();
    for (const op of started) op.stop.abort();
    await Promise.all(started.map((op) => op.running));
  }
});

test.serial(
  'coalesced events, a busy actor and an active worker, event and timer runs, watch restarts',
  async (t) => {
    const ns = cluster.namespace;
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const settings = kopf.defaultSettings();
    settings.watching.serverTimeout = 1; // the API server closes each watch after a second: restarts
    const op = embedded(
      'c',
      () => {
        kopf.on.create('kopfexamples', { labels: { embedded: 'c' } }, async function held() {
          await gate;
        });
        kopf.on.event('kopfexamples', { labels: { embedded: 'c' } }, async function seen() {});
        kopf.timer('kopfexamples', { labels: { embedded: 'c' }, interval: 0.5 }, async function tick() {});
      },
      settings,
    );
    const user = kubeClient(cluster);
    try {
      const url = await op.url;
      await createObject(user, KEX_RESOURCE, kex('e-c', { field: 1 }, { labels: { embedded: 'c' } }), ns);
      await eventually(
        async () => (await scrape(url)).sum('kopf_ts_object_actors', { state: 'creating' }) === 1,
        'the creation to be running',
      );
      // Two changes while the handler runs: the actor holds them; only the newest is handled next.
      for (const field of [2, 3])
        await patchObject(
          user,
          KEX_RESOURCE,
          { namespace: ns, name: 'e-c' },
          { spec: { field } },
          { type: 'merge' },
        );
      const busy = await eventually(async () => {
        const s = await scrape(url);
        return s.sum('kopf_ts_events_coalesced_total', { resource: 'kopfexamples' }) >= 2 ? s : null;
      }, 'two coalesced events');
      t.is(busy.sum('kopf_ts_active_workers'), 1, 'one reaction holds a permit');
      t.is(busy.sum('kopf_ts_object_actors', { state: 'creating' }), 1);
      t.is(busy.sum('kopf_ts_handler_runs_total', { handler: 'held' }), 0, 'the run is not over');
      release();
      const after = await eventually(async () => {
        const s = await scrape(url);
        const idle = s.sum('kopf_ts_object_actors', { state: 'idle' }) === s.sum('kopf_ts_object_actors');
        return idle && s.sum('kopf_ts_handler_runs_total', { handler: 'held' }) === 1 ? s : null;
      }, 'the creation handled');
      t.is(
        after.sum('kopf_ts_handler_runs_total', { handler: 'held', cause: 'create', outcome: 'success' }),
        1,
      );
      t.is(after.sum('kopf_ts_active_workers'), 0);
      // Event handlers and timers are counted by their cause: the creation and the two changes were seen.
      const more = await eventually(async () => {
        const s = await scrape(url);
        return s.sum('kopf_ts_handler_runs_total', { handler: 'tick', cause: 'timer', outcome: 'success' }) >=
          1
          ? s
          : null;
      }, 'a timer run');
      t.true(
        more.sum('kopf_ts_handler_runs_total', { handler: 'seen', cause: 'event', outcome: 'success' }) >= 3,
      );
      t.is(more.sum('kopf_ts_handler_runs_total', { outcome: /^(temporary|permanent|ignored)$/ }), 0);
      const restarts = await eventually(async () => {
        const s = await scrape(url);
        return s.sum('kopf_ts_watch_restarts_total', { resource: 'kopfexamples', reason: 'closed' }) >= 2
          ? s
          : null;
      }, 'the watch closed by the server and opened again');
      // Every restart opened a new stream: one watch request more than restarts (the first one), give or take the one opening now.
      const watches = restarts.sum('kopf_ts_api_requests_total', { verb: 'watch', resource: 'kopfexamples' });
      const restarted = restarts.sum('kopf_ts_watch_restarts_total', { resource: 'kopfexamples' });
      t.true(watches === restarted + 1 || watches === restarted, `${watches} watches, ${restarted} restarts`);
    } finally {
      release();
      await user.close();
      op.stop.abort();
      await op.running;
    }
  },
);
