// The devtools page in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against the
// real control plane: objects are created while the page is open; it sees an actor appear and go from
// creating to idle, and another one retrying while its handler raises TemporaryError; the chosen actor's
// statechart highlights its state and its timeline shows the retry; its daemon and timer are shown as its
// children, each with its own chart. The page logs no console errors. The screenshots are saved to a
// temporary directory (the path is logged), or to docs/images/ with KOPF_TS_UPDATE_DOCS=1
// (`npm run docs:screenshots`), where docs/devtools.md shows them; a plain test run leaves the tree clean.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testCluster, eventually, type TestCluster } from '../helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../helpers/kube.ts';
import * as kopf from '../../src/index.ts';
import { createObject } from '../../src/kube/objects.ts';
import { startDevtools, type Devtools } from '../../src/devtools/index.ts';
import { quietLogger } from '../helpers/logger.ts';

const CHROMIUM = process.env.KOPF_TS_CHROMIUM ?? '/usr/bin/chromium';
const required = Boolean(process.env.CI || process.env.KOPF_TS_REQUIRE_CHROMIUM);
const IMAGES = process.env.KOPF_TS_UPDATE_DOCS
  ? new URL('../../docs/images/', import.meta.url)
  : pathToFileURL(mkdtempSync(join(tmpdir(), 'kopf-ts-screenshots-')) + '/');

let cluster: TestCluster;
test.before(async () => {
  cluster = await testCluster(import.meta.filename);
});
test.after.always(async () => {
  await cluster?.close();
});

/**
 * Records, in the page, the states each actor's list entry showed, in order (a MutationObserver; a string
 * because this project's TypeScript has no DOM types).
 */
const RECORD_STATES = `(() => {
  const seen = (window.__states = {});
  const note = (li) => {
    const name = li.getAttribute('data-name') || '';
    const state = li.getAttribute('data-state') || '';
    const list = (seen[name] ??= []);
    if (list.at(-1) !== state) list.push(state);
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'attributes' && m.target.matches?.('li.actor')) note(m.target);
      for (const n of m.addedNodes) if (n.matches?.('li.actor')) note(n);
    }
  }).observe(document.getElementById('actors'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-name'] });
  const children = (window.__children = []);
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const n of m.addedNodes) if (n.matches?.('li[data-child]')) children.push(n.textContent);
  }).observe(document.getElementById('children'), { subtree: true, childList: true });
})()`;

const statesOf = async (page: Page, name: string): Promise<string[]> => (await page.evaluate(`window.__states[${JSON.stringify(name)}] || []`)) as string[];

/** Waits for `selector`; on a timeout, says what the page showed instead. */
async function see(page: Page, selector: string, timeout = 60_000): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (err) {
    const shown = await page.evaluate(`JSON.stringify({ detail: document.getElementById('detail')?.dataset, active: [...document.querySelectorAll('#statechart .active')].map((e) => e.getAttribute('data-state')), list: window.__states, connection: document.getElementById('connection')?.textContent })`);
    throw new Error(`${selector} not seen; the page showed ${String(shown)}`, { cause: err });
  }
}

const run = existsSync(CHROMIUM) || required ? test.serial : test.serial.skip;
const title = existsSync(CHROMIUM) || required ? 'the page shows actors appear, create, retry and settle, live' : `the devtools page test is SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium; required in CI)`;

run(title, async (t) => {
  t.timeout(180_000);
  const registry = new kopf.Registry();
  kopf.setDefaultRegistry(registry);
  const attempts = new Map<string, number>();
  kopf.on.create('kopfexamples', { labels: { case: 'devtools' } }, async function create_fn({ name }) {
    const attempt = (attempts.get(name ?? '') ?? 0) + 1;
    attempts.set(name ?? '', attempt);
    await new Promise((r) => setTimeout(r, 1200)); // long enough to be seen in `creating`
    if (name === 'flaky' && attempt === 1) throw new kopf.TemporaryError('the database is not ready yet', { delay: 6 });
    return { message: `hello ${name}` };
  });
  // A daemon and a timer per object: child actors of the object's actor, shown under it with their charts.
  kopf.daemon('kopfexamples', { labels: { case: 'devtools' } }, async function watcher({ signal }: kopf.AsyncDaemonKwargs) {
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  });
  kopf.timer('kopfexamples', { labels: { case: 'devtools' }, interval: 1 }, async function ticker() {});
  const devtools: Devtools = await startDevtools({ flushMs: 100 });
  t.regex(devtools.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  const stop = new AbortController();
  let ready = false;
  const logger = quietLogger();
  const operator = kopf.operator({
    kubeconfig: cluster.kubeconfigPath,
    namespaces: [cluster.namespace],
    signal: stop.signal,
    onReady: () => (ready = true),
    logger,
    inspect: devtools.inspect,
    timeline: devtools.timeline,
  });
  const user = kubeClient(cluster);
  let browser: Browser | undefined;
  const problems: string[] = [];
  try {
    await eventually(() => ready, 'the operator', 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      if (!/\/stream\//.test(req.url())) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
    });
    await page.goto(devtools.url);
    await see(page, '#connection.live');
    await page.evaluate(RECORD_STATES);

    // An object that is created and handled: creating → idle.
    await createObject(user, KEX_RESOURCE, kex('steady', { field: 'v' }, { labels: { case: 'devtools' } }), cluster.namespace);
    await see(page, 'li.actor[data-name="steady"]');
    await page.click('li.actor[data-name="steady"]');
    await eventually(async () => (await statesOf(page, 'steady')).includes('idle'), 'steady to be idle on the page', 60_000);
    const steady = await statesOf(page, 'steady');
    t.true(steady.includes('creating'), `steady showed ${steady.join(' → ')}`);
    t.true(steady.indexOf('creating') < steady.lastIndexOf('idle'), `steady showed ${steady.join(' → ')}`);
    await see(page, '#statechart svg [data-state="idle"].active');
    await see(page, '#handlers tr[data-handler="create_fn"] td.state-done');
    t.regex(await page.textContent('#timeline') ?? '', /create_fn succeeded/);
    const children = (await page.evaluate('window.__children')) as string[];
    t.true(children.some((c) => /react \(active\)/.test(c)), `the running reaction was shown as a child: ${JSON.stringify(children)}`);
    t.regex(await page.textContent('#timeline') ?? '', /patch \(done\)/);

    // An object whose handler fails once with TemporaryError: creating → retrying → creating → idle.
    await createObject(user, KEX_RESOURCE, kex('flaky', { field: 'v' }, { labels: { case: 'devtools' } }), cluster.namespace);
    await see(page, 'li.actor[data-name="flaky"]');
    await page.click('li.actor[data-name="flaky"]');
    await see(page, 'li.actor[data-name="flaky"][data-state="retrying"]');
    await see(page, '#statechart svg [data-state="retrying"].active');
    await see(page, '#handlers tr[data-handler="create_fn"] td.state-retrying');
    await see(page, '#timeline li[data-kind="retry"]');
    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: new URL('devtools-retrying.png', IMAGES).pathname, fullPage: true });
    t.regex(await page.textContent('#timeline') ?? '', /create_fn failed temporarily .*the database is not ready yet; retry in 6 s/);
    await eventually(async () => (await statesOf(page, 'flaky')).at(-1) === 'idle', 'flaky to be idle on the page', 60_000);
    const flaky = await statesOf(page, 'flaky');
    t.true(flaky.indexOf('creating') >= 0 && flaky.indexOf('creating') < flaky.indexOf('retrying'), `flaky showed ${flaky.join(' → ')}`);
    t.is(flaky.at(-1), 'idle');
    await see(page, '#statechart svg [data-state="idle"].active');
    await see(page, '#handlers tr[data-handler="create_fn"] td.state-done');
    t.is(attempts.get('flaky'), 2);

    // The search box filters the list.
    await page.fill('#search', 'flak');
    await eventually(async () => (await page.isHidden('li.actor[data-name="steady"]')) && (await page.isVisible('li.actor[data-name="flaky"]')), 'the search to filter the list');
    await page.fill('#search', '');
    await page.click('li.actor[data-name="steady"]');
    await see(page, '#statechart svg [data-state="idle"].active');
    await see(page, '#children li[data-child="daemon:watcher"] .child-chart svg [data-state].active');
    await see(page, '#children li[data-child="timer:ticker"] .child-chart svg [data-state].active');
    t.regex((await page.textContent('#children li[data-child="daemon:watcher"]')) ?? '', /daemon: running/);
    await see(page, '#handlers tr[data-handler="watcher"] td.state-running');
    await see(page, '#handlers tr[data-handler="ticker"]');
    t.regex((await page.textContent('#handlers tr[data-handler="ticker"]')) ?? '', /timer/);
    await page.screenshot({ path: new URL('devtools-idle.png', IMAGES).pathname, fullPage: true });
    t.log(`screenshots saved in ${IMAGES.pathname}`);
    t.deepEqual(problems, [], 'the page logged no errors');
  } finally {
    await browser?.close();
    stop.abort();
    await operator;
    await devtools.close();
    await user.close();
  }
});
