// Digests of sensitive values (src/model/sensitive.ts with src/engine/sensitive.ts's HMAC): per key, keyed,
// idempotent, so that a diff-base stored in plain text (by Kopf) compares equal where nothing changed; and the
// log form keeps keys, never values.
import test from 'ava';
import { redactBody, redactEssence, REDACTED } from '../../src/model/sensitive.ts';
import { checkSensitive, digester, sensitiveFieldsOf } from '../../src/engine/sensitive.ts';
import { defaultSettings } from '../../src/model/settings.ts';
import type { Resource } from '../../src/model/resource.ts';
import { diff } from '../../src/model/diff.ts';
import type { Body } from '../../src/model/body.ts';

const fields = [['data'], ['stringData']];
const digest = digester(null, 'uid-1');

test('each key of data gets its own digest; other fields stay', (t) => {
  const redacted = redactEssence({ data: { a: 'eA==', b: 'eA==' }, type: 'Opaque' }, fields, digest) as any;
  t.regex(redacted.data.a, /^hmac-sha256:[0-9a-f]{64}$/);
  t.not(redacted.data.a, redacted.data.b, 'equal values under two keys do not show as equal');
  t.is(redacted.type, 'Opaque');
});

test('redacting is idempotent, and a plain-text diff-base (Kopf) compares equal where nothing changed', (t) => {
  const plain = { data: { a: 'eA==', b: 'eQ==' } };
  const once = redactEssence(plain, fields, digest);
  t.deepEqual(redactEssence(once, fields, digest), once);
  const changed = redactEssence({ data: { a: 'eA==', b: 'ej0=' } }, fields, digest);
  const d = diff(redactEssence(plain, fields, digest), changed);
  t.deepEqual(
    d.map(([op, path]) => [op, path]),
    [['change', ['data', 'b']]],
  );
});

test('the digest depends on the key and the object: another uid or digestKey gives another digest', (t) => {
  const a = digest('eA==', ['data', 'a']);
  t.not(a, digester(null, 'uid-2')('eA==', ['data', 'a']));
  t.not(a, digester('operator-secret', 'uid-1')('eA==', ['data', 'a']));
  t.is(a, digester(null, 'uid-1')('eA==', ['data', 'a']));
});

test('a scalar field is one digest; nothing changes for a resource without sensitive fields', (t) => {
  const essence = { spec: { password: 'p', user: 'u' } };
  const redacted = redactEssence(essence, [['spec', 'password']], digest) as any;
  t.regex(redacted.spec.password, /^hmac-sha256:/);
  t.is(redacted.spec.user, 'u');
  t.is(redactEssence(essence, [], digest), essence);
});

test('the log form keeps the keys and hides the values; the body itself is untouched', (t) => {
  const body = { metadata: { name: 'x' }, data: { a: 'eA==' } } as unknown as Body;
  t.deepEqual((redactBody(body, fields) as any).data, { a: REDACTED });
  t.is((body as any).data.a, 'eA==');
});

test('a bad entry of settings.persistence.sensitive is an error naming it; Secrets match by default', (t) => {
  const settings = defaultSettings();
  const secrets = {
    group: '',
    version: 'v1',
    plural: 'secrets',
    kind: 'Secret',
    singular: 'secret',
    shortcuts: [],
    categories: [],
    namespaced: true,
    preferred: true,
    verbs: [],
    subresources: [],
  } as unknown as Resource;
  t.deepEqual(sensitiveFieldsOf(settings, secrets), [['data'], ['stringData']]);
  t.deepEqual(sensitiveFieldsOf(settings, { ...secrets, group: 'example.com' }), []);
  settings.persistence.sensitive = [{ resource: 'secrets', fields: 'data' as never }];
  t.throws(() => checkSensitive(settings), {
    message: /settings\.persistence\.sensitive\[0\]\.fields must be an array/,
  });
  settings.persistence.sensitive = [{ resource: '', fields: ['data'] }];
  t.throws(() => checkSensitive(settings), {
    message: /settings\.persistence\.sensitive\[0\]\.resource: .*empty/,
  });
});
