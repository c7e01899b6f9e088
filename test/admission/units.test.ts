// The admission parts that need no cluster: registration and its strict options, which handlers a request
// selects (Kopf's rules), the managed webhooks built from handlers (names, rules, selectors, client configs),
// warnings capped to the API server's limits, generated certificates (SANs, the CA chain), the webhook server
// with client-certificate verification and certificate-file reloads (real HTTPS on loopback), the auto server's
// choice without a recognisable cluster, the tunnels failing clearly without ngrok, and the RBAC rule.
import test from 'ava';
import { request } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as kopf from '../../src/index.ts';
import type { WebhookHandler } from '../../src/handlers/handler.ts';
import type { Resource } from '../../src/model/resource.ts';
import { selectHandlers } from '../../src/admission/review.ts';
import { buildWebhooks, webhookName } from '../../src/admission/managed.ts';
import { capWarnings, WARNINGS_TOTAL } from '../../src/admission/warnings.ts';
import { generateCertificate, describeSans } from '../../src/admission/certificates.ts';
import { requiredPermissions } from '../../src/handlers/permissions.ts';

const registry = new kopf.Registry();
kopf.setDefaultRegistry(registry);
test.beforeEach(() => registry.clear());
test.serial.afterEach(() => registry.clear());

const KEX: Resource = {
  group: 'kopf.dev',
  version: 'v1',
  plural: 'kopfexamples',
  kind: 'KopfExample',
  singular: 'kopfexample',
  shortcuts: ['kex'],
  categories: [],
  subresources: ['status'],
  namespaced: true,
  preferred: true,
  verbs: ['list', 'watch'],
};

const webhooks = (): WebhookHandler[] => registry.webhookHandlers();

/** A WebhookFn that admits everything (for the servers' own tests). */
const allowAll: kopf.WebhookFn = async () => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'x', allowed: true },
});

test.serial('registration: Kopf options in camelCase, defaults, not watched', (t) => {
  kopf.on.validate('kex', function check() {});
  kopf.on.mutate(
    'kex',
    { operation: 'CREATE', subresource: '*', persistent: true, sideEffects: true, ignoreFailures: true },
    async function fill() {},
  );
  const [check, fill] = webhooks();
  t.like(check, {
    id: 'check',
    kind: 'webhook',
    reason: 'validating',
    operations: null,
    subresource: null,
    persistent: false,
    sideEffects: false,
    ignoreFailures: false,
    errors: 'permanent',
    isAsync: false,
  });
  t.like(fill, {
    id: 'fill',
    reason: 'mutating',
    operations: ['CREATE'],
    subresource: '*',
    persistent: true,
    sideEffects: true,
    ignoreFailures: true,
    isAsync: true,
  });
  t.deepEqual(registry.selectors(), [], 'admission handlers do not make the operator watch their resource');
});

test.serial(
  'registration errors: empty or unknown operations, both spellings, snake_case, anonymous',
  (t) => {
    t.throws(() => kopf.on.validate('kex', { operations: [] }, function f() {}), {
      message: /operations cannot be empty/,
    });
    t.throws(() => kopf.on.validate('kex', { operations: ['PATCH' as never] }, function f() {}), {
      message: /must be one of CREATE, UPDATE, DELETE, CONNECT, got "PATCH"/,
    });
    t.throws(
      () => kopf.on.validate('kex', { operation: 'CREATE', operations: ['UPDATE'] }, function f() {}),
      { message: /either operation or operations/ },
    );
    t.throws(() => kopf.on.mutate('kex', { side_effects: true } as never, function f() {}), {
      message: /use 'sideEffects'/,
    });
    t.throws(() => kopf.on.validate('kex', { retries: 3 } as never, function f() {}), {
      message: /unknown option 'retries'/,
    });
    t.throws(() => kopf.on.validate('kex', { persistent: 'yes' } as never, function f() {}), {
      message: /persistent must be true or false/,
    });
    t.throws(() => kopf.on.validate('kex', () => {}), { message: /id/ });
    t.deepEqual(webhooks(), []);
  },
);

test.serial("handler selection: the URL's id, subresources, mutators on DELETE (Kopf's rules)", (t) => {
  kopf.on.validate('kex', async function v_main() {});
  kopf.on.validate('kex', { subresource: 'status' }, async function v_status() {});
  kopf.on.validate('kex', { subresource: '*' }, async function v_any() {});
  kopf.on.mutate('kex', async function m_all() {});
  kopf.on.mutate('kex', { operations: ['DELETE'] }, async function m_delete() {});
  kopf.on.validate('kex', { operations: ['DELETE'] }, async function v_delete_only() {});
  const ids = (webhook: string | null, op: 'CREATE' | 'DELETE', sub: string | null): string[] =>
    selectHandlers(registry, KEX, webhook, op, sub).map((h) => h.id);
  // `operations` is not checked per request: only the managed configuration routes by it.
  t.deepEqual(ids(null, 'CREATE', null), ['v_main', 'v_any', 'm_all', 'm_delete', 'v_delete_only']);
  t.deepEqual(ids(null, 'CREATE', 'status'), ['v_status', 'v_any']);
  t.deepEqual(ids(null, 'DELETE', null), ['v_main', 'v_any', 'm_delete', 'v_delete_only']);
  t.deepEqual(ids('v_main', 'CREATE', null), ['v_main']);
  t.deepEqual(ids('unknown', 'CREATE', null), []);
});

test.serial('managed webhooks: one per handler, names, rules, selectors, policies, client configs', (t) => {
  kopf.on.validate(
    'kex',
    { operations: ['CREATE', 'UPDATE'], labels: { a: 'b', c: kopf.PRESENT, d: kopf.ABSENT, e: () => true } },
    async function check_it() {},
  );
  kopf.on.validate(
    'kex',
    { id: 'group/child_x', subresource: 'status', persistent: true, ignoreFailures: true, sideEffects: true },
    async function other() {},
  );
  const config = { url: 'https://127.0.0.1:9443/hooks', caBundle: 'Q0E=' };
  const built = buildWebhooks(webhooks(), [KEX], {
    managed: 'auto.kopf.dev',
    clientConfig: config,
    timeoutSeconds: 10,
    namespaces: ['ns2', 'ns1'],
  });
  t.deepEqual(built[0], {
    name: 'check-it.auto.kopf.dev',
    sideEffects: 'None',
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    rules: [
      {
        apiGroups: ['kopf.dev'],
        apiVersions: ['v1'],
        resources: ['kopfexamples'],
        operations: ['CREATE', 'UPDATE'],
        scope: '*',
      },
    ],
    objectSelector: {
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['b'] },
        { key: 'c', operator: 'Exists' },
        { key: 'd', operator: 'DoesNotExist' },
      ],
    },
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ns1', 'ns2'] }],
    },
    clientConfig: { url: 'https://127.0.0.1:9443/hooks/check_it', caBundle: 'Q0E=' },
    timeoutSeconds: 10,
    admissionReviewVersions: ['v1'],
  });
  t.like(built[1], {
    name: 'group.child-x.auto.kopf.dev',
    sideEffects: 'NoneOnDryRun',
    failurePolicy: 'Ignore',
    rules: [{ resources: ['kopfexamples/status'], operations: ['*'] }],
    clientConfig: { url: 'https://127.0.0.1:9443/hooks/group/child_x' },
  });
  t.false(
    'namespaceSelector' in
      buildWebhooks(webhooks(), [KEX], {
        managed: 'm.kopf.dev',
        clientConfig: config,
        timeoutSeconds: 10,
      })[0]!,
  );
  const persistent = buildWebhooks(webhooks(), [KEX], {
    managed: 'm.kopf.dev',
    clientConfig: config,
    timeoutSeconds: 10,
    persistentOnly: true,
  });
  t.deepEqual(
    persistent.map((w) => w.name),
    ['group.child-x.m.kopf.dev'],
  );
  const service = buildWebhooks(webhooks(), [KEX], {
    managed: 'm.kopf.dev',
    clientConfig: { service: { namespace: 'ops', name: 'hooks', path: '/x' } },
    timeoutSeconds: 10,
  });
  t.deepEqual(service[0]!.clientConfig, {
    service: { namespace: 'ops', name: 'hooks', path: '/x/check_it' },
  });
  t.is(webhookName('Weird id!', 'm.kopf.dev'), 'weird20id21.m.kopf.dev');
});

test('warnings: one printable line each, within the API server budget, cuts counted', (t) => {
  t.deepEqual(capWarnings(['a\nb', '', 'c']), { warnings: ['a b', 'c'], dropped: 1 });
  const many = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(300, 'x'));
  const capped = capWarnings(many);
  t.true(capped.warnings.every((w) => w.length <= 256));
  t.true(capped.warnings.reduce((n, w) => n + w.length, 0) <= WARNINGS_TOTAL);
  t.true(capped.dropped > 0);
  t.true(capped.warnings[0]!.startsWith('0xx'));
});

test('generated certificates: a CA that signs a server certificate for the host, the address and extras', async (t) => {
  const c = await generateCertificate([
    'localhost',
    '0.0.0.0',
    '::1',
    'extra.example.com',
    '127.0.0.1',
    'localhost',
  ]);
  t.is(
    describeSans(c.certPem),
    'DNS:localhost, IP Address:0:0:0:0:0:0:0:1, DNS:extra.example.com, IP Address:127.0.0.1',
  );
  const ca = new X509Certificate(c.caPem);
  const leaf = new X509Certificate(c.certPem);
  t.true(ca.ca);
  t.false(leaf.ca);
  t.true(leaf.checkIssued(ca));
  t.true(leaf.verify(ca.publicKey));
  t.true(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(c.keyPem)));
  await t.throwsAsync(generateCertificate(['0.0.0.0']), { message: /at least one host name or IP/ });
});

/** POSTs `body` to a URL with these TLS options; the status and parsed body, or the connection error. */
function post(
  url: string,
  body: string,
  tls: { ca: string; cert?: string; key?: string },
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ...tls }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the webhook server: client certificates required, sslpeer and headers given, the id from the path', async (t) => {
  const client = await generateCertificate(['webhook-client']);
  const seen: unknown[] = [];
  const server = new kopf.WebhookServer({
    addr: '127.0.0.1',
    path: '/hooks',
    verifyCadata: client.caPem,
    extraSans: ['alt.example.com'],
  });
  const controller = new AbortController();
  const configs = server.serve(async (review, info) => {
    seen.push({
      webhook: info.webhook,
      cn: (info.sslpeer?.subject as Record<string, string> | undefined)?.CN,
      ua: info.headers?.['user-agent'],
    });
    return {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: (review as any).request.uid, allowed: true },
    };
  }, controller.signal);
  try {
    const config = (await configs.next()).value!;
    t.regex(config.url!, /^https:\/\/127\.0\.0\.1:\d+\/hooks$/);
    const ca = Buffer.from(config.caBundle!, 'base64').toString('utf8');
    const body = JSON.stringify({ request: { uid: 'u1' } });
    await t.throwsAsync(post(`${config.url}/a/b`, body, { ca }), undefined, 'no client certificate: refused');
    const ok = await post(`${config.url}/a/b`, body, { ca, cert: client.certPem, key: client.keyPem });
    t.is(ok.status, 200);
    t.is(ok.json.response.uid, 'u1');
    t.deepEqual(seen, [{ webhook: 'a/b', cn: 'webhook-client', ua: undefined }]);
    const outside = await post(config.url!.replace('/hooks', '/elsewhere'), body, {
      ca,
      cert: client.certPem,
      key: client.keyPem,
    });
    t.is(outside.status, 404);
    const badPath = await post(`${config.url}/%E0%A4%A`, body, {
      ca,
      cert: client.certPem,
      key: client.keyPem,
    });
    t.is(badPath.status, 400);
  } finally {
    controller.abort();
    await configs.return(undefined);
  }
});

test('the webhook server re-reads changed certificate files and announces the new CA', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kopf-ts-admission-'));
  const one = await generateCertificate(['127.0.0.1']);
  const two = await generateCertificate(['127.0.0.1']);
  await writeFile(join(dir, 'cert.pem'), one.certPem);
  await writeFile(join(dir, 'key.pem'), one.keyPem);
  const server = new kopf.WebhookServer({
    addr: '127.0.0.1',
    certfile: join(dir, 'cert.pem'),
    pkeyfile: join(dir, 'key.pem'),
    cafile: join(dir, 'ca.pem'),
    fileCheckInterval: 0.05,
  });
  await writeFile(join(dir, 'ca.pem'), one.caPem);
  const controller = new AbortController();
  const configs = server.serve(allowAll, controller.signal);
  try {
    const first = (await configs.next()).value!;
    t.is(Buffer.from(first.caBundle!, 'base64').toString(), one.caPem);
    await writeFile(join(dir, 'ca.pem'), two.caPem);
    await writeFile(join(dir, 'key.pem'), two.keyPem);
    await writeFile(join(dir, 'cert.pem'), two.certPem);
    const second = (await configs.next()).value!;
    t.is(second.url, first.url);
    t.is(Buffer.from(second.caBundle!, 'base64').toString(), two.caPem);
    t.is((await post(second.url!, '{}', { ca: two.caPem })).status, 200, 'served with the new certificate');
  } finally {
    controller.abort();
    await configs.return(undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

test('constructing servers and tunnels reads nothing; the auto server picks the plain one for an unknown cluster', async (t) => {
  t.notThrows(
    () =>
      new kopf.WebhookServer({
        certfile: '/nonexistent/cert.pem',
        pkeyfile: '/nonexistent/key.pem',
        port: 1234,
      }),
  );
  t.is(new kopf.WebhookK3dServer().advertisedHost, 'host.k3d.internal');
  t.is(new kopf.WebhookMinikubeServer().advertisedHost, 'host.minikube.internal');
  t.is(new kopf.WebhookDockerDesktopServer().advertisedHost, 'host.docker.internal');
  t.is(new kopf.WebhookServer({ addr: '0.0.0.0' }).advertisedHost, '127.0.0.1');
  t.is(new kopf.WebhookServer().advertisedHost, 'localhost');
  t.throws(() => new kopf.WebhookServer({ port: 70000 }), { message: /port/ });
  const auto = new kopf.WebhookAutoServer({ addr: '127.0.0.1' });
  const controller = new AbortController();
  const configs = auto.serve(allowAll, controller.signal, {});
  try {
    const config = (await configs.next()).value!;
    t.is(auto.chosen?.constructor, kopf.WebhookServer);
    t.regex(config.url!, /^https:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    controller.abort();
    await configs.return(undefined);
  }
});

test('tunnels without the ngrok agent fail with a message that says so', async (t) => {
  const tunnel = new kopf.WebhookNgrokTunnel({ path: '/xyz', binary: '/nonexistent/ngrok' });
  const controller = new AbortController();
  const configs = tunnel.serve(allowAll, controller.signal);
  const err = await t.throwsAsync(configs.next());
  t.is(err?.name, 'WebhookTunnelError');
  t.regex(err!.message, /needs the ngrok agent, and "\/nonexistent\/ngrok" was not found/);
  controller.abort();
  // The auto tunnel with an API server that is neither local nor recognised goes to ngrok (on PATH: absent here).
  const auto = new kopf.WebhookAutoTunnel();
  const autoConfigs = auto.serve(allowAll, new AbortController().signal, {
    apiServer: 'https://kubernetes.example.invalid:6443',
  });
  await t.throwsAsync(autoConfigs.next(), { message: /ngrok/ });
  t.is(auto.chosen?.constructor, kopf.WebhookNgrokTunnel);
});

test('RBAC: admission handlers add create/patch of the webhook configurations', (t) => {
  const without = requiredPermissions([KEX], {
    clusterwide: true,
    namespaces: [],
    operatorNamespace: 'default',
  });
  const withAdmission = requiredPermissions([KEX], {
    clusterwide: true,
    namespaces: [],
    operatorNamespace: 'default',
    admission: true,
  });
  t.false(JSON.stringify(without.cluster).includes('admissionregistration'));
  t.deepEqual(
    withAdmission.cluster.find((r) => r.apiGroups[0] === 'admissionregistration.k8s.io'),
    {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
      verbs: ['create', 'patch'],
    },
  );
});
