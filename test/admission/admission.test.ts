// Admission webhooks against the real API server, which calls the operator's HTTPS webhook server on loopback
// (test/fixtures/admission/operator.ts, run by KopfRunner as `kopf-ts run` would). Through the real kubectl:
// a mutation (a label and a spec default) is stored; an invalid object is rejected with the handler's message
// and code; warnings are printed; a server-side dry run reaches the handlers with `dryrun` true; DELETE reaches
// the validator that asks for it; the plain (sync) validator runs on the pool. Directly against the server:
// the request's uid is echoed, the patch is base64 JSON patch, malformed reviews get 400, oversized bodies 413,
// slow handlers 504 at the per-request timeout, requests are served in parallel, and the server keeps serving.
// Then the operator stops: only the persistent webhooks stay, and with nobody listening `Fail` rejects while
// `Ignore` admits. A restart with changed handlers replaces the webhooks (no duplicates).
import test from 'ava';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually, testCluster, KOPFEXAMPLES } from '../helpers/cluster.ts';
import { kexYaml, kubectl } from '../helpers/kubectl.ts';

const OPERATOR = fileURLToPath(new URL('../fixtures/admission/operator.ts', import.meta.url));

interface Posted {
  status: number;
  json: any;
  ms: number;
}

/** POSTs a body to the webhook server, trusting the CA it announced. */
function post(url: string, body: string, ca: string): Promise<Posted> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json, ms: Date.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function review(
  namespace: string,
  uid: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      resource: { group: 'kopf.dev', version: 'v1', resource: 'kopfexamples' },
      operation: 'CREATE',
      userInfo: { username: 'tester' },
      object: {
        apiVersion: 'kopf.dev/v1',
        kind: 'KopfExample',
        metadata: { name: `obj-${uid}`, namespace, labels },
        spec,
      },
    },
  });
}

test('admission webhooks through the API server, at the edge, after a stop, and across a restart', async (t) => {
  const cluster = await testCluster(import.meta.filename);
  const ns = cluster.namespace;
  const kc = cluster.kubeconfigPath;
  const managed = `${ns}.kopf.test`;
  const start = (variant: string): KopfRunner =>
    new KopfRunner(['run', '--standalone', '--verbose', '-n', ns, OPERATOR], {
      env: {
        ...process.env,
        KUBECONFIG: kc,
        ADMISSION_MANAGED: managed,
        ADMISSION_VARIANT: variant,
        ADMISSION_TIMEOUT: '3',
        ADMISSION_MAX_BODY: '65536',
      },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    }).start();
  const webhooksOf = async (kind: string): Promise<any[]> => {
    const got = await kubectl(kc, ['get', kind, managed, '-o', 'json']);
    t.is(got.code, 0, got.stderr);
    return JSON.parse(got.stdout).webhooks ?? [];
  };
  const names = (webhooks: any[]): string[] => webhooks.map((w) => w.name).sort();
  const apply = (yaml: string, ...args: string[]) =>
    kubectl(kc, ['apply', '-n', ns, ...args, '-f', '-'], yaml);
  try {
    // ---- Run 1: the full set of handlers.
    let runner = start('a');
    try {
      const url = (await runner.waitFor(/Listening for webhooks at (\S+) /, 60_000))[1]!;
      await runner.waitFor(/Reconfiguring the mutating webhook/, 30_000);
      const validating = await webhooksOf('validatingwebhookconfiguration');
      t.deepEqual(
        names(validating),
        ['deletion-guard', 'fail-closed', 'fail-open', 'plain-validator', 'slowpoke'].map(
          (n) => `${n}.${managed}`,
        ),
      );
      const guard = validating.find((w) => w.name.startsWith('deletion-guard'));
      t.deepEqual(guard.rules[0].operations, ['DELETE']);
      t.is(validating.find((w) => w.name.startsWith('fail-open')).failurePolicy, 'Ignore');
      t.is(validating.find((w) => w.name.startsWith('fail-closed')).failurePolicy, 'Fail');
      t.deepEqual(guard.admissionReviewVersions, ['v1']);
      t.is(guard.timeoutSeconds, 3);
      t.deepEqual(guard.namespaceSelector.matchExpressions[0].values, [ns]);
      t.is(guard.clientConfig.url, `${url}/deletion_guard`);
      const ca = Buffer.from(guard.clientConfig.caBundle, 'base64').toString('utf8');

      // A valid object: admitted with the plain validator's warning, mutated by the async mutator.
      const created = await apply(kexYaml('kex-ok', 'fine'));
      t.is(created.code, 0, created.stderr);
      t.regex(created.stderr, /Warning: plain validator saw CREATE/);
      const stored = await cluster.custom.getNamespacedCustomObject({
        ...KOPFEXAMPLES,
        namespace: ns,
        name: 'kex-ok',
      });
      t.is(stored.metadata.labels['admitted-by'], 'kopf-ts');
      t.is(stored.spec.size, 'medium');
      t.is(stored.spec.field, 'fine');

      // Invalid: rejected with the handler's message, and its code as the API client gets it.
      const rejected = await apply(kexYaml('kex-bad', 'forbidden'));
      t.not(rejected.code, 0);
      t.regex(rejected.stderr, /denied the request: The field cannot be "forbidden"\./);
      const error = await t.throwsAsync(
        cluster.custom.createNamespacedCustomObject({
          ...KOPFEXAMPLES,
          namespace: ns,
          body: {
            apiVersion: 'kopf.dev/v1',
            kind: 'KopfExample',
            metadata: { name: 'kex-bad' },
            spec: { field: 'forbidden' },
          },
        }),
      );
      t.is((error as { code?: number }).code, 422);

      // A server-side dry run reaches the handlers with dryrun=true.
      const dry = await kubectl(
        kc,
        ['create', '-n', ns, '--dry-run=server', '-f', '-'],
        kexYaml('kex-dry', 'fine'),
      );
      t.is(dry.code, 0, dry.stderr);
      t.regex(dry.stderr, /Warning: plain validator saw CREATE \(dry run\)/);

      // DELETE reaches the validator that asks for it: a protected object cannot be deleted.
      t.is((await kubectl(kc, ['annotate', '-n', ns, 'kex', 'kex-ok', 'protected=yes'])).code, 0);
      const refused = await kubectl(kc, ['delete', '-n', ns, 'kex', 'kex-ok', '--wait=false']);
      t.not(refused.code, 0);
      t.regex(refused.stderr, /denied the request: This object is protected\./);
      t.is((await kubectl(kc, ['annotate', '-n', ns, 'kex', 'kex-ok', 'protected-'])).code, 0);
      t.is((await kubectl(kc, ['delete', '-n', ns, 'kex', 'kex-ok', '--wait=false'])).code, 0);

      // Directly: the uid is echoed, the mutation is a base64 JSON patch.
      const direct = await post(`${url}/defaults`, review(ns, 'uid-1', { field: 'x' }), ca);
      t.is(direct.status, 200);
      t.is(direct.json.response.uid, 'uid-1');
      t.true(direct.json.response.allowed);
      t.is(direct.json.response.patchType, 'JSONPatch');
      t.deepEqual(JSON.parse(Buffer.from(direct.json.response.patch, 'base64').toString('utf8')), [
        { op: 'add', path: '/metadata/labels/admitted-by', value: 'kopf-ts' },
        { op: 'add', path: '/spec/size', value: 'medium' },
      ]);
      const denied = await post(`${url}/plain_validator`, review(ns, 'uid-2', { field: 'forbidden' }), ca);
      t.is(denied.json.response.uid, 'uid-2');
      t.false(denied.json.response.allowed);
      t.deepEqual(denied.json.response.status, { message: 'The field cannot be "forbidden".', code: 422 });

      // Malformed reviews: 400, with what is wrong.
      const notJson = await post(url, '{"apiVersion": ', ca);
      t.is(notJson.status, 400);
      t.regex(notJson.json.error, /not JSON/);
      const noRequest = await post(
        url,
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
        ca,
      );
      t.is(noRequest.status, 400);
      t.regex(noRequest.json.error, /no request/);
      const noUser = JSON.parse(review(ns, 'uid-3', {}));
      delete noUser.request.userInfo;
      t.is((await post(url, JSON.stringify(noUser), ca)).status, 400);
      const unknown = JSON.parse(review(ns, 'uid-4', {}));
      unknown.request.resource.resource = 'pods';
      t.is((await post(url, JSON.stringify(unknown), ca)).status, 404);

      // Oversized: 413 (the limit is 64 KiB here).
      const big = await post(url, review(ns, 'uid-5', { field: 'x'.repeat(100_000) }), ca);
      t.is(big.status, 413);

      // Slow: answered 504 at the per-request timeout (timeoutSeconds 3 → 2 s), long before the handler ends.
      const slow = await post(`${url}/slowpoke`, review(ns, 'uid-6', { delay: 10 }, { slow: 'yes' }), ca);
      t.is(slow.status, 504);
      t.true(slow.ms < 5000, `answered after ${slow.ms} ms`);

      // In parallel: four 1-second handlers answered in well under four seconds.
      const started = Date.now();
      const four = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          post(`${url}/slowpoke`, review(ns, `p-${i}`, { delay: 1 }, { slow: 'yes' }), ca),
        ),
      );
      t.deepEqual(
        four.map((r) => r.json.response.uid),
        ['p-1', 'p-2', 'p-3', 'p-4'],
      );
      t.true(Date.now() - started < 3000, `four took ${Date.now() - started} ms`);

      // And it still serves.
      t.is(
        (await post(`${url}/plain_validator`, review(ns, 'uid-7', { field: 'ok' }), ca)).json.response
          .allowed,
        true,
      );
    } finally {
      t.is(await runner.stop(), 0);
    }
    t.notRegex(runner.output, /\n\s+at .+\(.+:\d+:\d+\)/);
    t.regex(runner.output, /Webhook 'plain_validator' succeeded/);

    // ---- Stopped cleanly: only the persistent webhooks remain; with nobody listening, Fail rejects and Ignore admits.
    t.deepEqual(names(await webhooksOf('validatingwebhookconfiguration')), [
      `fail-closed.${managed}`,
      `fail-open.${managed}`,
    ]);
    t.deepEqual(await webhooksOf('mutatingwebhookconfiguration'), []);
    const closed = await apply(kexYaml('kex-closed', 'x', { policy: 'fail' }));
    t.not(closed.code, 0);
    t.regex(closed.stderr, /failed calling webhook "fail-closed\./);
    const open = await apply(kexYaml('kex-open', 'x', { policy: 'ignore' }));
    t.is(open.code, 0, open.stderr);

    // ---- Run 2: changed handlers under the same name: the webhooks are replaced, not added to.
    runner = start('b');
    try {
      await runner.waitFor(/Reconfiguring the mutating webhook/, 60_000);
      t.deepEqual(names(await webhooksOf('validatingwebhookconfiguration')), [
        `replacement-validator.${managed}`,
      ]);
      t.deepEqual(names(await webhooksOf('mutatingwebhookconfiguration')), [`defaults.${managed}`]);
      t.is((await apply(kexYaml('kex-b', 'x'))).code, 0);
      const b = await eventually(
        () => cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace: ns, name: 'kex-b' }),
        'kex-b',
      );
      t.is(b.metadata.labels['admitted-by'], 'variant-b');
    } finally {
      t.is(await runner.stop(), 0);
    }
    t.deepEqual(await webhooksOf('validatingwebhookconfiguration'), []);
    t.deepEqual(await webhooksOf('mutatingwebhookconfiguration'), []);
  } finally {
    await kubectl(kc, [
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      managed,
      '--ignore-not-found',
    ]);
    await cluster.close();
  }
});
