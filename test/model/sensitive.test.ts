// Digests of sensitive values (src/model/sensitive.ts): per key, keyed, idempotent, so that a diff-base stored
// in plain text (by Kopf) compares equal where nothing changed; and the log form keeps keys, never values.
import test from 'ava';
import { digestOf, redactBody, redactEssence, REDACTED } from '../../src/model/sensitive.ts';
import { diff } from '../../src/model/diff.ts';
import type { Body } from '../../src/model/body.ts';

const fields = [['data'], ['stringData']];
const options = { fields, key: null, uid: 'uid-1' };

test('each key of data gets its own digest; other fields stay', (t) => {
  const redacted = redactEssence({ data: { a: 'eA==', b: 'eA==' }, type: 'Opaque' }, options) as any;
  t.regex(redacted.data.a, /^hmac-sha256:[0-9a-f]{64}$/);
  t.not(redacted.data.a, redacted.data.b, 'equal values under two keys do not show as equal');
  t.is(redacted.type, 'Opaque');
});

test('redacting is idempotent, and a plain-text diff-base (Kopf) compares equal where nothing changed', (t) => {
  const plain = { data: { a: 'eA==', b: 'eQ==' } };
  const once = redactEssence(plain, options);
  t.deepEqual(redactEssence(once, options), once);
  const changed = redactEssence({ data: { a: 'eA==', b: 'ej0=' } }, options);
  const d = diff(redactEssence(plain, options), changed);
  t.deepEqual(
    d.map(([op, path]) => [op, path]),
    [['change', ['data', 'b']]],
  );
});

test('the digest depends on the key and the object: another uid or digestKey gives another digest', (t) => {
  const a = digestOf('eA==', ['data', 'a'], options);
  t.not(a, digestOf('eA==', ['data', 'a'], { ...options, uid: 'uid-2' }));
  t.not(a, digestOf('eA==', ['data', 'a'], { ...options, key: 'operator-secret' }));
  t.is(a, digestOf('eA==', ['data', 'a'], options));
});

test('a scalar field is one digest; nothing changes for a resource without sensitive fields', (t) => {
  const essence = { spec: { password: 'p', user: 'u' } };
  const redacted = redactEssence(essence, { ...options, fields: [['spec', 'password']] }) as any;
  t.regex(redacted.spec.password, /^hmac-sha256:/);
  t.is(redacted.spec.user, 'u');
  t.is(redactEssence(essence, { ...options, fields: [] }), essence);
});

test('the log form keeps the keys and hides the values; the body itself is untouched', (t) => {
  const body = { metadata: { name: 'x' }, data: { a: 'eA==' } } as unknown as Body;
  t.deepEqual((redactBody(body, fields) as any).data, { a: REDACTED });
  t.is((body as any).data.a, 'eA==');
});
