// The devtools server's guards, without a cluster: the token on every request (403 otherwise), loopback by
// default, a non-loopback host refused unless allowed (by the API and by `kopf-ts run --devtools`), the
// address forms of `--devtools`, and the SSE streams' first messages.
import test from 'ava';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { KopfRunner } from '../../src/testing.ts';
import { eventually } from '../helpers/cluster.ts';
import { checkHost, isLoopback, parseAddress, startDevtools } from '../../src/devtools/index.ts';

/** GET with node:http (fetch would hide nothing here, but streams are easier to cut short this way). */
function get(
  url: string,
  headers: Record<string, string> = {},
  firstChunkOnly = false,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
        if (firstChunkOnly && body.includes('\n\n')) {
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
          req.destroy();
        }
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', (err) => (firstChunkOnly ? undefined : reject(err)));
    req.end();
  });
}

test('every path needs the token; a wrong or missing one gets 403', async (t) => {
  const devtools = await startDevtools();
  try {
    t.is(devtools.host, '127.0.0.1');
    t.true(devtools.port > 0);
    const base = `http://127.0.0.1:${devtools.port}`;
    for (const path of [
      '/',
      '/app.js',
      '/style.css',
      '/machines/object.svg',
      '/api/actors',
      '/stream/list',
      '/stream/actor?key=x',
      '/nope',
    ]) {
      const sep = path.includes('?') ? '&' : '?';
      t.is((await get(`${base}${path}`)).status, 403, `${path} without a token`);
      t.is((await get(`${base}${path}${sep}token=wrong`)).status, 403, `${path} with a wrong token`);
      const nearMiss = devtools.token.slice(0, -1) + (devtools.token.endsWith('0') ? '1' : '0'); // differs in the last digit only
      t.is((await get(`${base}${path}${sep}token=${nearMiss}`)).status, 403, `${path} with a near miss`);
    }
    const page = await get(devtools.url);
    t.is(page.status, 200);
    t.regex(page.type, /text\/html/);
    t.true(page.body.includes(`app.js?token=${devtools.token}`), 'the page loads its script with the token');
    t.is((await get(`${base}/app.js?token=${devtools.token}`)).status, 200);
    t.is(
      (await get(`${base}/style.css`, { 'x-devtools-token': devtools.token })).status,
      200,
      'the header works too',
    );
    const svg = await get(`${base}/machines/object.svg?token=${devtools.token}`);
    t.is(svg.status, 200);
    t.regex(svg.type, /image\/svg\+xml/);
    t.regex(svg.body, /data-state="retrying"/);
    t.is((await get(`${base}/machines/nothing.svg?token=${devtools.token}`)).status, 404);
    t.is((await get(`${base}/machines/__proto__.svg?token=${devtools.token}`)).status, 404);
    const api = JSON.parse((await get(`${base}/api/actors?token=${devtools.token}`)).body) as {
      actors: unknown[];
      machines: string[];
    };
    t.deepEqual(api.actors, []);
    t.true(api.machines.includes('object'));
    const stream = await get(`${base}/stream/list?token=${devtools.token}`, {}, true);
    t.is(stream.status, 200);
    t.regex(stream.type, /text\/event-stream/);
    t.regex(stream.body, /^event: list\ndata: \{"reset":true,"changed":\[\]/);
    const actor = await get(`${base}/stream/actor?key=nobody&token=${devtools.token}`, {}, true);
    t.regex(actor.body, /^event: ended\n/);
  } finally {
    await devtools.close();
  }
});

test('loopback by default; a non-loopback host only when allowed', async (t) => {
  await t.throwsAsync(startDevtools({ address: '0.0.0.0:0' }), {
    message: /Refusing to serve the devtools on 0\.0\.0\.0.*--devtools-allow-remote/,
  });
  const remote = await startDevtools({ address: '0.0.0.0:0', allowRemote: true });
  try {
    t.is(remote.host, '0.0.0.0');
    t.is((await get(`http://127.0.0.1:${remote.port}/`)).status, 403, 'still needs the token');
  } finally {
    await remote.close();
  }
  const v6 = await startDevtools({ address: '[::1]:0' }).catch(() => null); // no IPv6 loopback in some sandboxes
  if (v6) {
    t.regex(v6.url, /^http:\/\/\[::1\]:\d+\/\?token=/);
    await v6.close();
  }
});

test('the forms of --devtools [HOST:PORT]', (t) => {
  t.deepEqual(parseAddress(true), { host: '127.0.0.1', port: 0 });
  t.deepEqual(parseAddress(undefined), { host: '127.0.0.1', port: 0 });
  t.deepEqual(parseAddress('9999'), { host: '127.0.0.1', port: 9999 });
  t.deepEqual(parseAddress(':9999'), { host: '127.0.0.1', port: 9999 });
  t.deepEqual(parseAddress('localhost:8000'), { host: 'localhost', port: 8000 });
  t.deepEqual(parseAddress('10.0.0.1'), { host: '10.0.0.1', port: 0 });
  t.deepEqual(parseAddress('[::1]:7000'), { host: '::1', port: 7000 });
  t.throws(() => parseAddress('host:99999'), {
    message: /--devtools expects HOST:PORT.*'99999' is not a port/,
  });
  t.throws(() => parseAddress('not an address'), {
    message: /--devtools expects HOST:PORT.*is not a host name or address/,
  });
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) t.true(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) t.false(isLoopback(h), h);
  t.notThrows(() => checkHost('10.0.0.1', true));
});

test('kopf-ts run --devtools refuses a non-loopback address before it starts', async (t) => {
  const fixture = fileURLToPath(new URL('../fixtures/engine/superseded.ts', import.meta.url));
  const op = new KopfRunner(['run', '--standalone', '-A', '--devtools', '0.0.0.0:0', fixture], {
    env: { ...process.env, KUBECONFIG: '/nonexistent' },
  }).start();
  await eventually(() => op.exitCode !== undefined, 'kopf-ts run to exit', 60_000);
  t.not(op.exitCode, 0);
  t.regex(op.output, /Refusing to serve the devtools on 0\.0\.0\.0/);
});
