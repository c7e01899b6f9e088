/**
 * The operator's memory at start, by how kopf-ts is loaded (issue 11): `npm run bench:startup [-- --runs N]`.
 * Starts a local control plane, packs this repository and installs the tarball into a fresh project, then runs
 * the same operator (test/fixtures/package/handlers.ts: an async and a plain pool handler) three ways:
 *   tsx       the sources compiled at run time by tsx/esbuild (how the bin ran before the package was compiled);
 *   stripping the sources through Node's type stripping (this repository's tests);
 *   package   the installed package's compiled dist/ (what users run);
 *   package, --max-semi-space-size=1   the same with V8's young generation kept small (NODE_OPTIONS in a Deployment).
 * For each it reads the RSS of the operator process and of its child processes (tsx's esbuild service) once the
 * watch is up, and again after one object was handled by both handlers (so the pool's thread is running).
 * Prints a Markdown table of medians. Not a test.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane } from '../src/cluster/index.ts';
import { freshProject, packRepository, REPO, userEnv } from '../test/helpers/package.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

/** RSS in KiB of a process (VmRSS), 0 when it is gone. */
function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pids of every descendant of `pid`. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** The operator's own RSS, and that of its descendants, in MiB. */
function treeRss(pid: number): { own: number; children: number } {
  const own = rssKiB(pid) / 1024;
  const children = descendants(pid).reduce((sum, p) => sum + rssKiB(p), 0) / 1024;
  return { own, children };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const plane = await startControlPlane({ progress: (line) => console.error(line) });
try {
  const kubectl = (...args: string[]): string =>
    execFileSync('kubectl', ['--kubeconfig', plane.kubeconfigPath, ...args], { encoding: 'utf8' });
  kubectl('apply', '-f', join(REPO, 'examples', 'crd.yaml'));
  kubectl('wait', '--for=condition=Established', 'crd/kopfexamples.kopf.dev', '--timeout=60s');
  const packed = await packRepository();
  const { dir: project } = await freshProject(packed.tarball);
  const handlers = join(REPO, 'test', 'fixtures', 'package', 'handlers.ts');
  cpSync(handlers, join(project, 'handlers.ts'));
  const node = process.execPath;
  const bin = join(REPO, 'bin', 'kopf-ts.js');
  const variants: Record<string, { command: string[]; cwd: string }> = {
    tsx: {
      command: [
        node,
        '--conditions=kopf-ts-source',
        '--import',
        'tsx',
        bin,
        'run',
        '--standalone',
        '-n',
        'default',
        handlers,
      ],
      cwd: REPO,
    },
    stripping: {
      command: [node, '--conditions=kopf-ts-source', bin, 'run', '--standalone', '-n', 'default', handlers],
      cwd: REPO,
    },
    package: {
      command: [
        node,
        join(project, 'node_modules', 'kopf-ts', 'bin', 'kopf-ts.js'),
        'run',
        '--standalone',
        '-n',
        'default',
        'handlers.ts',
      ],
      cwd: project,
    },
    // The same with a small young generation (issue 16): V8's default lets new space grow to 32 MiB.
    'package, --max-semi-space-size=1': {
      command: [
        node,
        '--max-semi-space-size=1',
        join(project, 'node_modules', 'kopf-ts', 'bin', 'kopf-ts.js'),
        'run',
        '--standalone',
        '-n',
        'default',
        'handlers.ts',
      ],
      cwd: project,
    },
  };
  const results = new Map<
    string,
    { watching: number[]; watchingChildren: number[]; handled: number[]; handledChildren: number[] }
  >();
  let seq = 0;
  for (let run = 0; run < runs; run++) {
    for (const [name, variant] of Object.entries(variants)) {
      const [file, ...args] = variant.command;
      const child = spawn(file!, args, {
        cwd: variant.cwd,
        env: userEnv(dirname(process.execPath), { KUBECONFIG: plane.kubeconfigPath }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      await until(() => /Watching kopfexamples/.test(output), `${name}: the watch; output:\n${output}`);
      const atWatch = treeRss(child.pid!);
      const object = `rss-${name.replace(/[^a-z0-9]+/g, "-")}-${seq++}`;
      execFileSync('kubectl', ['--kubeconfig', plane.kubeconfigPath, 'create', '-n', 'default', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'kopf.dev/v1',
          kind: 'KopfExample',
          metadata: { name: object },
          spec: { field: object },
        }),
      });
      await until(
        () => output.includes(`[default/${object}] Creation is processed: 2 succeeded`),
        `${name}: ${object} handled; output:\n${output}`,
      );
      const afterHandled = treeRss(child.pid!);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      kubectl('delete', '-n', 'default', 'kopfexamples', object, '--wait=false');
      const r = results.get(name) ?? { watching: [], watchingChildren: [], handled: [], handledChildren: [] };
      r.watching.push(atWatch.own);
      r.watchingChildren.push(atWatch.children);
      r.handled.push(afterHandled.own);
      r.handledChildren.push(afterHandled.children);
      results.set(name, r);
      console.error(
        `${name} run ${run + 1}: ${atWatch.own.toFixed(1)} + ${atWatch.children.toFixed(1)} MiB at the watch; ${afterHandled.own.toFixed(1)} + ${afterHandled.children.toFixed(1)} MiB after one object`,
      );
    }
  }
  console.log(
    `\nOperator RSS at start (Node ${process.version}; medians of ${runs} runs; MiB; + child processes)\n`,
  );
  console.log('| loaded as | watching, 0 objects | after one object (pool thread started) |');
  console.log('|---|---|---|');
  for (const [name, r] of results) {
    const cell = (own: number[], children: number[]): string =>
      `${median(own).toFixed(1)}${median(children) > 0 ? ` + ${median(children).toFixed(1)}` : ''}`;
    console.log(
      `| ${name} | ${cell(r.watching, r.watchingChildren)} | ${cell(r.handled, r.handledChildren)} |`,
    );
  }
} finally {
  await plane.stop();
}
