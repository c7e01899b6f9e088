/**
 * The packed kopf-ts, installed the way a user installs it: `npm pack` of this repository (its prepack builds
 * dist/), then `npm install` of the tarball into a fresh temporary project. Also finds a Node of another major
 * version (the `node` package from the npm registry, installed once into the kopf-ts cache). Used by
 * test/package/*.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What `npm pack --json` reports of the tarball. */
export interface Packed {
  tarball: string;
  size: number;
  unpackedSize: number;
  files: string[];
}

/** The PATH with `nodeDir` first (so `npx`, npm and `#!/usr/bin/env node` scripts run on that Node). */
export function pathWith(nodeDir: string): string {
  return `${nodeDir}:${process.env.PATH ?? ''}`;
}

/** Environment for commands that must run as a user's would: no source condition, no tsx preloaded. */
export function userEnv(nodeDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWith(nodeDir), ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** `npm pack` of this repository into a temporary directory (runs prepack: the build). */
export async function packRepository(): Promise<Packed> {
  const dest = mkdtempSync(join(tmpdir(), 'kopf-ts-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: REPO,
    env: userEnv(dirname(process.execPath)),
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = (
    JSON.parse(stdout.slice(stdout.indexOf('['))) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[]
  )[0]!;
  return {
    tarball: join(dest, report.filename),
    size: report.size,
    unpackedSize: report.unpackedSize,
    files: report.files.map((f) => f.path),
  };
}

/** A fresh project (package.json without a "type" field) with the tarball and `extra` packages installed. */
export async function freshProject(
  tarball: string,
  extra: string[] = [],
): Promise<{ dir: string; installMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kopf-ts-user-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'my-operator', version: '1.0.0', private: true }, null, 2),
  );
  const started = Date.now();
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...extra], {
    cwd: dir,
    env: userEnv(dirname(process.execPath)),
    maxBuffer: 64 * 1024 * 1024,
  });
  return { dir, installMs: Date.now() - started };
}

/** The directory of a Node binary of that exact version: this one, or the registry's `node` package, cached. */
export async function nodeDir(version: string): Promise<string> {
  if (process.version === `v${version}`) return dirname(process.execPath);
  const prefix = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kopf-ts', 'node', version);
  const bin = join(prefix, 'node_modules', 'node', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{"private": true}');
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, `node@${version}`],
      {
        cwd: prefix,
        env: userEnv(dirname(process.execPath)),
      },
    );
  }
  const { stdout } = await run(join(bin, 'node'), ['--version']);
  if (stdout.trim() !== `v${version}`)
    throw new Error(`the node package installed ${stdout.trim()}, not v${version}`);
  return bin;
}
