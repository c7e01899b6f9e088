// The credentials vault without a cluster (the login handlers are a function here; test/cli/login.test.ts
// runs the real thing): the highest priority wins, expired credentials make the next request log in again,
// concurrent 401s share one re-login, and credentials the server refused never come back, which ends in a
// LoginError for every caller and one `onFailed`.
import test from 'ava';
import type { Credential } from '../../src/kube/credentials.ts';
import { LoginError, Vault, type LoginReason } from '../../src/kube/vault.ts';

function cred(fingerprint: string, priority = 0, expiration: number | null = null): Credential {
  return {
    server: `https://${fingerprint}`,
    insecure: false,
    defaultNamespace: 'default',
    priority,
    expiration,
    fingerprint,
    authenticate: async () => ({ headers: { authorization: `Bearer ${fingerprint}` } }),
  };
}

test('the highest priority is used; an expiration makes the next request log in again', async (t) => {
  const reasons: LoginReason[] = [];
  let round = 0;
  const vault = new Vault({
    login: async (reason) => {
      reasons.push(reason);
      round++;
      return new Map([
        ['low', cred(`low${round}`, 0)],
        ['high', cred(`high${round}`, 10, round === 1 ? Date.now() + 50 : null)],
      ]);
    },
  });
  await vault.login();
  t.is((await vault.select())[1].fingerprint, 'high1');
  await new Promise((r) => setTimeout(r, 60));
  // high1 expired, low1 is left (no re-login: Kopf re-logs in only when nothing valid is left).
  t.is((await vault.select())[1].fingerprint, 'low1');
  t.deepEqual(reasons, ['initial']);
  const auth = await vault.connection().authenticate();
  t.is(auth.server, 'https://low1');
  await auth.invalidate!(new Error('401'));
  t.deepEqual(reasons, ['initial', 'unauthorized']);
  t.is((await vault.select())[1].fingerprint, 'high2');
});

test('concurrent 401s share one re-login; refused credentials never come back: LoginError and onFailed once', async (t) => {
  let logins = 0;
  const failures: LoginError[] = [];
  const same = cred('same');
  const vault = new Vault({
    login: async () => {
      logins++;
      await new Promise((r) => setTimeout(r, 10));
      return new Map([['h', logins <= 2 ? cred(`token${logins}`) : same]]);
    },
    onFailed: (e) => failures.push(e),
  });
  await vault.login();
  const c = vault.connection();
  const [a, b] = await Promise.all([c.authenticate(), c.authenticate()]);
  await Promise.all([a.invalidate!(new Error('401')), b.invalidate!(new Error('401'))]);
  t.is(logins, 2);
  t.is((await vault.select())[1].fingerprint, 'token2');
  const [key, token2] = await vault.select();
  await vault.invalidate(key, token2, new Error('401')); // logins 3 returns `same`: accepted
  const [key3, third] = await vault.select();
  t.is(third, same);
  await t.throwsAsync(vault.invalidate(key3, same, new Error('401')), {
    instanceOf: LoginError,
    message: /Ran out of valid credentials/,
  });
  await t.throwsAsync(c.authenticate(), { instanceOf: LoginError });
  t.is(failures.length, 1);
  t.is(logins, 4);
});
