/**
 * Benchmark (prints figures; not a test): N objects, each with a 1 s async timer, against a real local
 * control plane (started here, or $KOPF_TS_TEST_KUBECONFIG). Measures how far each tick drifts from its
 * schedule (start − previous end − interval), ticks per second, event-loop delay, memory per object, and
 * the API writes the timers cause (their result changes on every 10th tick, so about 1 write per 10 ticks).
 * Run: npx node --import tsx bench/timers.ts [--n 1000] [--seconds 30]
 */
import { availableParallelism, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as kopf from '../src/index.ts';
import { createObject } from '../src/kube/objects.ts';
import { testCluster, eventually } from '../test/helpers/cluster.ts';
import { kubeClient, kex, KEX_RESOURCE } from '../test/helpers/kube.ts';
import { quietLogger } from '../test/helpers/logger.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const n = arg('n', 1000);
const seconds = arg('seconds', 30);
const INTERVAL = 1;

const cluster = await testCluster('bench-timers');
const user = kubeClient(cluster, { qps: 1000, burst: 1000 });
const client = kubeClient(cluster, { qps: 1000, burst: 1000 });

// Per object: the end of its previous tick, and every drift measured (ms). A tick right after a result
// changed also waited for that result's PATCH (written after the handler returned): counted apart.
const lastEnd = new Map<string, number>();
const drifts: number[] = [];
const afterWrite: number[] = [];
const counts = new Map<string, number>();
let ticks = 0;
let measuring = false;

kopf.setDefaultRegistry(new kopf.Registry());
kopf.timer('kopfexamples', { interval: INTERVAL, labels: { bench: 'timers' } }, async function tick({ name }: { name: string }) {
  const now = performance.now();
  const previous = lastEnd.get(name);
  const count = (counts.get(name) ?? 0) + 1;
  if (measuring && previous !== undefined) (count % 10 === 1 ? afterWrite : drifts).push(now - previous - INTERVAL * 1000);
  counts.set(name, count);
  if (measuring) ticks++;
  lastEnd.set(name, performance.now());
  return Math.floor(count / 10);
});

const settings = kopf.defaultSettings();
settings.networking.qps = 1000;
settings.networking.burst = 1000;
const quiet = quietLogger();
const stop = new AbortController();
let ready = false;
global.gc?.();
const heap0 = process.memoryUsage().heapUsed;
const rss0 = process.memoryUsage().rss;
const running = kopf.operator({ client, settings, namespaces: [cluster.namespace], signal: stop.signal, onReady: () => (ready = true), logger: quiet });
await eventually(() => ready, 'the operator to be ready', 60_000);

const t0 = performance.now();
const names = Array.from({ length: n }, (_, i) => `t-${i}`);
for (let i = 0; i < names.length; i += 50) {
  await Promise.all(names.slice(i, i + 50).map((name) => createObject(user, KEX_RESOURCE, kex(name, { field: 'x' }, { labels: { bench: 'timers' } }), cluster.namespace)));
}
await eventually(() => counts.size === n, `all ${n} timers to tick`, 300_000, 200);
const warm = (performance.now() - t0) / 1000;

// Let the startup writes (finalizers, first results) settle, then measure.
await new Promise((r) => setTimeout(r, 3000));
global.gc?.();
const writes = (): number => client.count(['patch', 'create', 'update', 'delete']);
const w0 = writes();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
measuring = true;
const m0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - m0) / 1000;
loop.disable();
const written = writes() - w0;
const mem = process.memoryUsage();

stop.abort();
await running;
await user.close();
await client.close();
await cluster.close();

drifts.sort((a, b) => a - b);
afterWrite.sort((a, b) => a - b);
const pct = (p: number, of = drifts): number => of[Math.min(of.length - 1, Math.floor((p / 100) * of.length))] ?? NaN;
const ms = (v: number): string => `${v.toFixed(1)} ms`;
console.log(`node ${process.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${n} objects, one ${INTERVAL} s async timer each; measured for ${elapsed.toFixed(1)} s`);
console.log(`all ${n} timers ticking after ${warm.toFixed(1)} s (objects created at up to 50 at a time)`);
console.log(`ticks: ${ticks} (${(ticks / elapsed).toFixed(0)}/s; the schedule allows at most ${(n / INTERVAL).toFixed(0)}/s minus run time)`);
console.log(`drift past the schedule: p50 ${ms(pct(50))}, p90 ${ms(pct(90))}, p99 ${ms(pct(99))}, max ${ms(drifts.at(-1) ?? NaN)} (${drifts.length} ticks)`);
console.log(`ticks after a result write (drift includes the PATCH): p50 ${ms(pct(50, afterWrite))}, p99 ${ms(pct(99, afterWrite))} (${afterWrite.length} ticks)`);
console.log(`event-loop delay: p50 ${ms(loop.percentile(50) / 1e6)}, p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)}`);
console.log(`API writes while measuring: ${written} (${(written / Math.max(1, ticks)).toFixed(3)} per tick; the result changes every 10th tick → 0.100 expected)`);
console.log(`memory: heap +${((mem.heapUsed - heap0) / n / 1024).toFixed(1)} KiB per object, RSS +${((mem.rss - rss0) / n / 1024).toFixed(1)} KiB per object (heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB)`);
