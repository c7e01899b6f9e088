// Retries of 429 Too Many Requests with Retry-After, against the real API server (and what a client observer,
// the metrics' source, sees of them): a user limited by API
// Priority and Fairness (one tiny priority level that rejects instead of queueing) floods the server; the
// client retries every rejected request after the server's Retry-After and all of them succeed.
import test from 'ava';
import { testCluster, rawRequest, type TestCluster } from '../helpers/cluster.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { ApiTooManyRequestsError } from '../../src/kube/errors.ts';
import type { Connection } from '../../src/kube/config.ts';

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

async function ok(res: Promise<{ status: number; json: any }>, what: string): Promise<any> {
  const r = await res;
  if (r.status >= 300 && r.status !== 409) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
  return r.json;
}

test('429 responses are retried after Retry-After until they succeed', async (t) => {
  t.timeout(170_000);
  if (process.env.USE_EXISTING_CLUSTER === 'true') return t.pass('changes cluster-wide flow control: only on a plane of our own');
  const ns = cluster.namespace;
  const kc = cluster.kc;
  const name = `limited-${ns}`.slice(0, 60);
  await ok(rawRequest(kc, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'limited' } }), 'service account');
  await ok(
    rawRequest(kc, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'limited', namespace: ns }],
    }),
    'binding',
  );
  await ok(
    rawRequest(kc, 'POST', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations', {
      metadata: { name },
      spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } },
    }),
    'priority level',
  );
  await ok(
    rawRequest(kc, 'POST', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', {
      metadata: { name },
      spec: {
        priorityLevelConfiguration: { name },
        matchingPrecedence: 100,
        distinguisherMethod: { type: 'ByUser' },
        rules: [
          {
            subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: 'limited', namespace: ns } }],
            resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }],
          },
        ],
      },
    }),
    'flow schema',
  );
  const token = (await ok(rawRequest(kc, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts/limited/token`, { spec: { expirationSeconds: 3600 } }), 'token')).status.token as string;
  const cluster0 = kc.getCurrentCluster()!;
  const ca = cluster0.caFile ? (await import('node:fs')).readFileSync(cluster0.caFile) : undefined;
  const connection: Connection = {
    server: cluster0.server,
    insecure: false,
    defaultNamespace: ns,
    authenticate: async () => ({ headers: { Authorization: `Bearer ${token}` }, ca }),
  };
  const retries: { status: number | undefined; delay: number }[] = [];
  const client = new KubeClient(connection, {
    qps: 0,
    errorBackoffs: Array(40).fill(0.1),
    onRetry: ({ error, delay }) => retries.push({ status: error instanceof ApiTooManyRequestsError ? 429 : undefined, delay }),
  });
  // What the metrics observe (src/engine/metrics.ts): every answer with its code, and every retry.
  const observed: { code: number | 'error'; seconds: number }[] = [];
  const retried: (number | 'error')[] = [];
  client.observe({ request: (r) => observed.push(r), retry: (r) => retried.push(r.code) });
  try {
    // Rounds of 40 requests at once until the server has rejected some (on a fast, quiet machine one round may
    // all fit through its one seat); bounded.
    let sent = 0;
    const deadline = Date.now() + 90_000;
    do {
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, () => client.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps` })),
      );
      sent += 40;
      const failed = results.filter((r) => r.status === 'rejected');
      t.is(failed.length, 0, failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3).join('; '));
    } while (!retries.some((r) => r.status === 429) && Date.now() < deadline);
    const throttled = retries.filter((r) => r.status === 429);
    t.true(throttled.length > 0, `the server rejected some requests with 429 (retries: ${retries.length}, requests: ${sent})`);
    t.true(throttled.every((r) => r.delay >= 1), 'each retry waited at least the server\'s Retry-After (1 s), not the 0.1 s backoff');
    t.true(client.count(['list']) > sent, 'the rejected requests were sent again');
    t.is(observed.length, client.count(['list']), 'the observer saw every request');
    t.is(observed.filter((r) => r.code === 429).length, throttled.length, 'each 429 answer observed');
    t.is(observed.filter((r) => r.code === 200).length, sent, 'and each success');
    t.deepEqual(retried, retries.map((r) => r.status ?? 'error'), 'each retry observed with its code');
    t.true(observed.every((r) => r.seconds >= 0 && r.seconds < 60));
  } finally {
    await client.close();
  }
});

test('connection errors are retried with the backoffs, then escalate as ApiConnectionError', async (t) => {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const attempts: number[] = [];
  const client = new KubeClient(
    { server: `https://127.0.0.1:${port}`, insecure: true, defaultNamespace: 'default', authenticate: async () => ({ headers: {} }) },
    { qps: 0, errorBackoffs: [0.05, 0.05], onRetry: ({ attempt }) => attempts.push(attempt) },
  );
  const { ApiConnectionError } = await import('../../src/kube/errors.ts');
  await t.throwsAsync(client.request({ method: 'GET', path: '/api' }), { instanceOf: ApiConnectionError, message: /ECONNREFUSED|connect/ });
  t.deepEqual(attempts, [1, 2]);
  t.is(client.count(), 3);
  await client.close();
});
