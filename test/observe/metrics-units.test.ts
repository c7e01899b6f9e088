// The pure parts of the metrics, no cluster: `--metrics HOST:PORT` parsing (`:PORT`, IPv6 in brackets, port 0)
// and its errors; the outcome of an attempt as counted; two OperatorMetrics in one process never share a
// series (each has its own registry, none touches prom-client's global one); the gauges of state are read from
// their sources only when scraped. The scrape is parsed with a Prometheus text-format parser.
import test from 'ava';
import { register as globalRegistry } from 'prom-client';
import { MetricsEndpointError, parseMetricsEndpoint } from '../../src/observe/metrics-endpoint.ts';
import { outcomeOf } from '../../src/observe/metrics-recorder.ts';
import { OperatorMetrics } from '../../src/observe/metrics.ts';
import { Scrape } from '../helpers/prometheus.ts';

test('HOST:PORT, :PORT, [IPv6]:PORT and port 0', (t) => {
  t.deepEqual(parseMetricsEndpoint('0.0.0.0:9090'), { host: '0.0.0.0', port: 9090 });
  t.deepEqual(parseMetricsEndpoint('localhost:8080'), { host: 'localhost', port: 8080 });
  t.deepEqual(parseMetricsEndpoint(':9090'), { host: '0.0.0.0', port: 9090 });
  t.deepEqual(parseMetricsEndpoint('[::1]:9090'), { host: '::1', port: 9090 });
  t.deepEqual(parseMetricsEndpoint('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
});

test('bad values: a clear error each', (t) => {
  for (const [value, message] of [
    ['', /is empty: give HOST:PORT/],
    ['9090', /"9090" is not HOST:PORT \(e\.g\. 0\.0\.0\.0:9090/],
    ['localhost', /is not HOST:PORT/],
    ['http://0.0.0.0:9090', /give the address only .* the path is always \/metrics/],
    ['0.0.0.0:9090/metrics', /the path is always \/metrics/],
    ['::1:9090', /is not HOST:PORT/],
    ['host:99999', /has no valid port: 0 to 65535/],
    ['host:-1', /is not HOST:PORT/],
  ] as const) {
    const err = t.throws(() => parseMetricsEndpoint(value), { instanceOf: MetricsEndpointError }, value);
    t.regex(err!.message, message, value);
  }
});

test('outcomes: success, temporary, permanent, ignored', (t) => {
  t.is(outcomeOf({ final: true, result: undefined }), 'success');
  t.is(outcomeOf({ final: true, result: { a: 1 } }), 'success');
  t.is(outcomeOf({ final: false, error: 'boom', delay: 60 } as never), 'temporary');
  t.is(outcomeOf({ final: false }), 'temporary', 'unfinished sub-handlers: retried');
  t.is(outcomeOf({ final: true, error: 'boom' }), 'permanent');
  t.is(
    outcomeOf({ final: true }),
    'ignored',
    'an error ignored by the errors mode: final, no error, no result',
  );
});

test('two operators in one process: separate registries, nothing in the global one', async (t) => {
  const a = new OperatorMetrics();
  const b = new OperatorMetrics();
  try {
    a.handlerRun('create_fn', 'create', 'success', 0.1);
    a.handlerRun('create_fn', 'create', 'success', 0.2);
    b.handlerRun('create_fn', 'create', 'permanent', 0.3);
    b.apiRequest('patch', 'kopfexamples', 429, 0.01);
    b.apiRetry('patch', 'kopfexamples', 429);
    const [sa, sb] = [new Scrape(await a.scrape()), new Scrape(await b.scrape())];
    t.is(sa.sum('kopf_ts_handler_runs_total', { outcome: 'success' }), 2);
    t.is(sa.sum('kopf_ts_handler_runs_total', { outcome: 'permanent' }), 0);
    t.is(sa.sum('kopf_ts_handler_errors_total'), 0);
    t.is(sa.histogramCount('kopf_ts_handler_duration_seconds'), 2);
    const buckets = sa.family('kopf_ts_handler_duration_seconds').metrics[0]!.buckets!;
    t.like(buckets, { '0.05': '0', '0.1': '1', '0.25': '2', '60': '2', '+Inf': '2' }, 'cumulative buckets');
    t.is(sb.sum('kopf_ts_handler_runs_total'), 1);
    t.is(sb.sum('kopf_ts_handler_errors_total', { handler: 'create_fn', cause: 'create' }), 1);
    t.is(sb.sum('kopf_ts_api_requests_total', { verb: 'patch', resource: 'kopfexamples', code: '429' }), 1);
    t.is(sb.sum('kopf_ts_api_retries_total', { code: '429' }), 1);
    t.is(sa.sum('kopf_ts_api_requests_total'), 0);
    t.is(sa.family('kopf_ts_api_requests_total').type, 'COUNTER');
    t.false(
      (await globalRegistry.metrics()).includes('kopf_ts_'),
      "prom-client's global registry is untouched",
    );
  } finally {
    a.close();
    b.close();
  }
});

test('the gauges of state are read from their sources at each scrape, not before', async (t) => {
  const metrics = new OperatorMetrics();
  let reads = 0;
  let states = ['idle', 'idle', 'creating'];
  metrics.setSources({
    actorStates: () => {
      reads++;
      return states;
    },
    passivatedActors: () => 7,
    workers: () => ({ active: 1, limit: 4 }),
    pool: () => ({ threads: 2, maxThreads: 4, queueSize: 3, utilization: 0.5, completed: 10 }),
  });
  try {
    t.is(reads, 0);
    let s = new Scrape(await metrics.scrape());
    t.is(reads, 1);
    t.is(s.sum('kopf_ts_object_actors', { state: 'idle' }), 2);
    t.is(s.sum('kopf_ts_object_actors', { state: 'creating' }), 1);
    t.is(s.sum('kopf_ts_object_actors', { state: 'throttled' }), 0, 'every state is exported, 0 when empty');
    t.is(s.sum('kopf_ts_object_actors_passivated'), 7);
    t.is(s.sum('kopf_ts_active_workers'), 1);
    t.is(s.sum('kopf_ts_max_concurrent_reactions'), 4);
    t.is(s.sum('kopf_ts_pool_queue_length'), 3);
    t.is(s.sum('kopf_ts_pool_utilization'), 0.5);
    t.is(s.sum('kopf_ts_pool_tasks_completed_total'), 10);
    states = ['idle'];
    s = new Scrape(await metrics.scrape());
    t.is(reads, 2);
    t.is(s.sum('kopf_ts_object_actors', { state: 'creating' }), 0, 'a state left empty reads 0 again');
    t.is(s.sum('kopf_ts_object_actors'), 1);
  } finally {
    metrics.close();
  }
});
