// kopf.ConnectionInfo as a login handler returns it: Kopf's fields in camelCase, checked with errors that
// name the handler and the field (a Kopf snake_case spelling gets its camelCase), expirations as Kopf's.
import test from 'ava';
import { ConnectionInfo, parseConnectionInfo } from '../../src/model/connection-info.ts';

const who = "The login handler 'login_fn'";

test('a plain object is checked and its expiration becomes epoch milliseconds; priority defaults to 0', (t) => {
  const info = parseConnectionInfo(
    { server: 'https://k:6443', token: 't', expiration: '2099-12-31T23:59:59' },
    who,
  );
  t.is(info.priority, 0);
  t.is(info.expiration, Date.UTC(2099, 11, 31, 23, 59, 59)); // no zone: UTC, as Kopf
  t.is(parseConnectionInfo({ server: 'https://k', expiration: new Date(5) }, who).expiration, 5);
  t.is(parseConnectionInfo({ server: 'https://k' }, who).expiration, null);
});

test('an instance has no methods, so it crosses from a pool worker as plain data', (t) => {
  const info = new ConnectionInfo({ server: 'https://k', caData: 'PEM', token: 't', priority: 5 });
  t.deepEqual(Object.getOwnPropertyNames(Object.getPrototypeOf(info)), ['constructor']);
  t.deepEqual(structuredClone({ ...info }), { server: 'https://k', caData: 'PEM', token: 't', priority: 5 });
});

test('wrong values are errors that name the handler and the field', (t) => {
  t.throws(() => parseConnectionInfo(undefined, who), {
    message: /login_fn' must return a kopf.ConnectionInfo.*got undefined/,
  });
  t.throws(() => parseConnectionInfo({ token: 't' }, who), {
    message: /ConnectionInfo.server must be an http\(s\) URL; got undefined/,
  });
  t.throws(() => parseConnectionInfo({ server: 'https://k', ca_path: '/ca' }, who), {
    message: /unknown ConnectionInfo field 'ca_path' \(use 'caPath'\)/,
  });
  t.throws(() => parseConnectionInfo({ server: 'https://k', caPath: '/ca', caData: 'x' }, who), {
    message: /both ConnectionInfo.caPath and caData/,
  });
  t.throws(() => parseConnectionInfo({ server: 'https://k', token: 5 }, who), {
    message: /ConnectionInfo.token must be a string; got number 5/,
  });
  t.throws(() => parseConnectionInfo({ server: 'https://k', expiration: 'soon' }, who), {
    message: /expiration must be a Date or an ISO 8601 time; got "soon"/,
  });
  t.throws(() => new ConnectionInfo({ server: 'k' }), {
    message: /^kopf.ConnectionInfo: ConnectionInfo.server/,
  });
});
