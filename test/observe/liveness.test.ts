// The liveness endpoint (`kopf-ts run --liveness URL`) against the real control plane, the operator run as users
// run it (KopfRunner): 200 with Kopf's JSON of probe results while healthy (a plain probe ran on the pool, a
// probe returning nothing and an ignored failure are left out), the results reused for the caching period
// (10 s by default), 404 elsewhere; 500 with the reasons when a probe fails, when a watch keeps failing (its CRD
// deleted while the operator runs with scanning off) and while the event loop is blocked; healthy again after
// each. Bad --liveness values and a taken port are clear errors at start.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, eventually, rawRequest, crdManifest, type TestCluster } from '../helpers/cluster.ts';
import { kex } from '../helpers/kube.ts';
import { assertTakenPortFails, untilExit } from '../helpers/example.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/observe/liveness.ts', import.meta.url));
const GROUP = 'liveness.probes.kopf.dev';
const TARGETS = crdManifest({ group: GROUP, plural: 'targets', kind: 'Target' });
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

let cluster: TestCluster;
let dir: string;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
  dir = mkdtempSync(join(tmpdir(), 'kopf-ts-liveness-'));
});
test.after.always(async () => {
  await rawRequest(cluster.kc, 'DELETE', `${CRDS}/targets.${GROUP}`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  await cluster?.close();
});

/** Starts the fixture operator with `--liveness` on a free loopback port; resolves with it and the URL. */
async function start(
  env: Record<string, string> = {},
  extra: string[] = [],
): Promise<{ op: KopfRunner; url: string }> {
  const op = new KopfRunner(
    [
      'run',
      '--standalone',
      '-n',
      cluster.namespace,
      '--liveness',
      'http://127.0.0.1:0/healthz',
      ...extra,
      OPERATOR,
    ],
    { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, ...env } },
  ).start();
  const m = await op.waitFor(/Serving health status at (http:\/\/127\.0\.0\.1:\d+\/healthz)/, 60_000);
  await op.waitFor(/Watching kopfexamples/, 60_000);
  return { op, url: m[1]! };
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** Polls the endpoint until it answers `status`; resolves with that answer. */
async function answered(
  url: string,
  status: number,
  what: string,
  timeoutMs = 20_000,
): Promise<{ status: number; body: any }> {
  return await eventually(
    async () => {
      const r = await get(url);
      return r.status === status ? r : null;
    },
    what,
    timeoutMs,
    200,
  );
}

test.serial(
  'healthy: 200 with each probe result; cached for 10 s; a plain probe ran on the pool; 404 elsewhere',
  async (t) => {
    const { op, url } = await start();
    try {
      const first = await get(url);
      t.is(first.status, 200, JSON.stringify(first.body));
      t.deepEqual(first.body, {
        calls_count: 1,
        pool: { mainThread: false, activity: 'probe', backoff: 60 },
        flagged: 'fine',
      });
      // Rapid requests (also concurrent ones) within the caching period reuse the results: one call so far.
      const firstAt = Date.now();
      for (let i = 0; i < 5; i++) {
        const answers = await Promise.all([get(url), get(url), get(url)]);
        for (const a of answers) t.is(a.body.calls_count, 1);
      }
      // After Kopf's 10 s, the probes run again.
      const second = await eventually(
        async () => ((await get(url)).body.calls_count === 2 ? Date.now() : 0),
        'a second collection',
        20_000,
        250,
      );
      t.true(second - firstAt >= 9000, `collected again after ${second - firstAt} ms`);
      t.is((await fetch(url.replace('/healthz', '/other'))).status, 404);
      t.is((await fetch(url, { method: 'POST' })).status, 405);
    } finally {
      t.is(await op.stop(), 0);
    }
    t.regex(op.output, /Activity 'ignored_failure' failed with an exception and will ignore it/);
  },
);

test.serial(
  'a failing probe: 500 with its reason, at once; 200 again when it succeeds (failures are not cached)',
  async (t) => {
    const flag = join(dir, 'fail');
    const { op, url } = await start({ FAIL_FILE: flag, LIVENESS_CACHE: '1' });
    try {
      t.is((await get(url)).status, 200);
      writeFileSync(flag, '');
      const failed = await answered(url, 500, 'a 500');
      t.deepEqual(failed.body.reasons, ["Probe 'flagged' failed: the flag file says so"]);
      t.is(failed.body.probes.calls_count > 0, true, 'the probes that succeeded are still shown');
      rmSync(flag);
      const ok = await get(url);
      t.is(ok.status, 200);
      t.is(ok.body.flagged, 'fine');
    } finally {
      t.is(await op.stop(), 0);
    }
  },
);

test.serial(
  'a dead watch (its CRD deleted, scanning off): 500 naming the watch; 200 once it recovers',
  async (t) => {
    const created = await rawRequest(cluster.kc, 'POST', CRDS, TARGETS);
    t.true(created.status < 300 || created.status === 409, JSON.stringify(created.json));
    await eventually(
      async () => (await rawRequest(cluster.kc, 'GET', `/apis/${GROUP}/v1`)).status === 200,
      'the CRD served',
    );
    const { op, url } = await start({
      TARGET_PLURAL: `targets.${GROUP}`,
      SCANNING_DISABLED: '1',
      LIVENESS_WATCH_LIMIT: '2',
      LIVENESS_CACHE: '1',
    });
    try {
      await op.waitFor(/Watching targets\.v1\.liveness\.probes\.kopf\.dev/);
      t.is((await get(url)).status, 200);
      t.is((await rawRequest(cluster.kc, 'DELETE', `${CRDS}/targets.${GROUP}`)).status, 200);
      const dead = await answered(url, 500, 'a 500 for the dead watch', 30_000);
      t.is(dead.body.reasons.length, 1, JSON.stringify(dead.body));
      t.regex(
        dead.body.reasons[0],
        /^The watch of targets\.v1\.liveness\.probes\.kopf\.dev in \S+ has been failing for \d+ s \(the limit is 2 s\): .*404/,
      );
      t.is(dead.body.probes.flagged, 'fine');
      // The CRD is back: the watch lists again and the operator is alive.
      t.true((await rawRequest(cluster.kc, 'POST', CRDS, TARGETS)).status < 300);
      const back = await answered(url, 200, 'a 200 after the CRD came back', 60_000);
      t.is(back.body.flagged, 'fine');
    } finally {
      t.is(await op.stop(), 0);
    }
  },
);

test.serial('a blocked event loop: the answer waits for it and is a 500; 200 again afterwards', async (t) => {
  const { op, url } = await start({ LIVENESS_LAG_LIMIT: '1', LIVENESS_CACHE: '2' });
  try {
    t.is((await get(url)).status, 200);
    const res = await rawRequest(
      cluster.kc,
      'POST',
      `/apis/kopf.dev/v1/namespaces/${cluster.namespace}/kopfexamples`,
      kex('blocker', { blockMs: 3000 }),
    );
    t.true(res.status < 300, JSON.stringify(res.json));
    await op.waitFor(/Blocking the event loop for 3000 ms\./);
    const asked = Date.now();
    const during = await get(url);
    const waited = Date.now() - asked;
    t.is(during.status, 500, JSON.stringify(during.body));
    t.true(waited > 1000, `the answer came after the block (${waited} ms)`);
    t.is(during.body.reasons.length, 1);
    t.regex(
      during.body.reasons[0],
      /^The event loop was blocked for \d+\.\d s within the last 2 s \(the limit is 1 s\)\.$/,
    );
    await op.waitFor(/Unblocked\./);
    const ok = await answered(url, 200, 'a 200 after the block', 10_000);
    t.is(ok.body.flagged, 'fine');
  } finally {
    t.is(await op.stop(), 0);
  }
});

/** Runs `kopf-ts run` until it exits by itself (bounded). */
function exits(args: string[]): Promise<{ code: number | null | undefined; output: string }> {
  const op = new KopfRunner(['run', '--standalone', '-n', cluster.namespace, ...args, OPERATOR], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  }).start();
  return untilExit(op);
}

test.serial('bad --liveness values and a taken port: a clear error and exit code 1', async (t) => {
  for (const [value, message] of [
    [
      'https://0.0.0.0:8080/healthz',
      /kopf-ts: Unsupported scheme of the liveness endpoint "https:\/\/0\.0\.0\.0:8080\/healthz": only http:\/\/ is served/,
    ],
    [
      '8080',
      /kopf-ts: The liveness endpoint "8080" is not a URL: e\.g\. http:\/\/0\.0\.0\.0:8080\/healthz\./,
    ],
    ['http://127.0.0.1:8080/healthz?x=1', /has credentials, a query or a fragment/],
  ] as const) {
    const { code, output } = await exits(['--liveness', value]);
    t.is(code, 1, output);
    t.regex(output, message);
    t.notRegex(output, /Watching| {4}at /, 'nothing started, no stack trace');
  }
  await assertTakenPortFails(
    t,
    exits,
    (port) => ['--liveness', `http://127.0.0.1:${port}/healthz`],
    'The liveness endpoint',
  );
});
