/**
 * The real Kopf for the side-by-side benchmarks and the cross-peering test: a Python venv at
 * ~/.cache/kopf-ts/bench/venv with `kopf==1.45.*` pip-installed from PyPI, created on first use. Called by
 * bench/cluster.ts before any scenario, by test/peering/kopf-cross.test.ts, and by `.ci/run` (prepared once).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const KOPF_SPEC = 'kopf==1.45.*';
export const VENV_DIR = join(homedir(), '.cache', 'kopf-ts', 'bench', 'venv');

/** Ensures the venv exists with Kopf installed; returns the path of its `kopf` command and Kopf's version. */
export function ensureKopfVenv(progress: (line: string) => void = () => {}): { kopf: string; python: string; version: string } {
  const python = join(VENV_DIR, 'bin', 'python');
  const kopf = join(VENV_DIR, 'bin', 'kopf');
  if (!existsSync(kopf)) {
    progress(`creating ${VENV_DIR} with ${KOPF_SPEC} (once)…`);
    mkdirSync(join(VENV_DIR, '..'), { recursive: true });
    const system = process.env.BENCH_PYTHON ?? 'python3';
    execFileSync(system, ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', KOPF_SPEC], { stdio: 'inherit' });
  }
  const version = execFileSync(python, ['-c', 'import importlib.metadata as m, sys; print(m.version("kopf"), sys.version.split()[0])'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('1.45.')) throw new Error(`${VENV_DIR} has kopf ${version}, not ${KOPF_SPEC}; remove the venv to recreate it`);
  return { kopf, python, version };
}
