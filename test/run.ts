/**
 * The test runner behind `npm test` (after typecheck and lint): starts ONE real control plane for the whole
 * run, runs ava (TAP) with KOPF_TS_TEST_KUBECONFIG pointing at it, stops the plane, and prints the plain
 * `N passed, M failed` line that CI reads. It fails when no test used the control plane (a run whose cluster
 * tests were all skipped must not look green), unless ava was given a file filter.
 * Usage: node --import tsx test/run.ts [ava arguments…]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startControlPlane } from '../src/cluster/index.ts';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `kopf-ts tests need Node >= 22 (run them through npm, which brings it); got ${process.version}`,
  );
  process.exit(1);
}

const avaArgs = process.argv.slice(2);
/** How long ava may print nothing before the run is declared stuck. */
const STUCK_MS = 7 * 60_000;
const filtered = avaArgs.some((a) => !a.startsWith('-'));
const stateDir = mkdtempSync(join(tmpdir(), 'kopf-ts-test-state-'));
const started = Date.now();
const plane = await startControlPlane({
  etcdCompactionInterval: '15s',
  progress: (line) => console.error(line),
});
console.error(
  `# control plane ${plane.existing ? '(existing cluster)' : `ready in ${plane.startedInMs} ms at ${plane.server}`}; kubeconfig ${plane.kubeconfigPath}`,
);

let passed = 0;
let failed = 0;
let skipped = 0;
let code: number | null;
try {
  const ava = spawn(
    process.execPath,
    [join('node_modules', 'ava', 'entrypoints', 'cli.js'), '--tap', ...avaArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        // The operators that tests start (`kopf-ts run` in child processes) resolve `kopf-ts` to the sources too.
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=kopf-ts-source`.trim(),
        KOPF_TS_TEST_KUBECONFIG: plane.kubeconfigPath,
        KOPF_TS_TEST_STATE_DIR: stateDir,
      },
    },
  );
  // A watchdog: ava waits for every test file's worker to end; one that never ends (a handle left open) would
  // hang the run until CI's limit. Far longer than any test here takes without printing a line.
  let lastLine = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastLine < STUCK_MS) return;
    console.log(
      `# no test result for ${STUCK_MS / 1000} s: ava is stuck (a test file that never ends?); stopping it`,
    );
    failed++;
    ava.kill('SIGTERM');
    setTimeout(() => ava.kill('SIGKILL'), 10_000).unref();
    clearInterval(watchdog);
  }, 5_000);
  const lines = createInterface({ input: ava.stdout });
  lines.on('line', (line) => {
    lastLine = Date.now();
    console.log(line);
    if (/^ok \d+/.test(line)) {
      if (/# SKIP/i.test(line)) skipped++;
      else passed++;
    } else if (/^not ok \d+/.test(line) && !/# TODO/i.test(line)) {
      failed++;
    }
  });
  code = await new Promise<number | null>((resolve) => ava.on('close', resolve));
  clearInterval(watchdog);
} finally {
  await plane.stop();
}

const clusterFilesPath = join(stateDir, 'cluster-files');
const clusterFiles = existsSync(clusterFilesPath)
  ? new Set(readFileSync(clusterFilesPath, 'utf8').split('\n').filter(Boolean))
  : new Set();
rmSync(stateDir, { recursive: true, force: true });
console.log(
  `# ${clusterFiles.size} test files used the control plane; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
);
if (!filtered && clusterFiles.size === 0) {
  console.log('# no test used the control plane: the Kubernetes tests did not run');
  failed++;
  code ||= 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
