/**
 * Files the local control plane writes outside its own temporary directory (kubeconfigs, the state files of
 * `kopf-ts cluster up`): private (0600 files, 0700 directories), never written over an existing file, and
 * removed only while they are still the very file that was written (same device, inode and creation time).
 * Used by control-plane.ts and instances.ts.
 */
import { linkSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/**
 * `dev:ino:birth` of a file (birth: creation time in ns, where the file system records it), or null when there
 * is none. The creation time tells a replacement apart even when it got the freed inode number back.
 */
export function fileIdentity(path: string): string | null {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.birthtimeNs}`;
  } catch {
    return null;
  }
}

/** Creates `dir` and any missing parents with mode 0700; directories that already exist are left as they are. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes `text` into a NEW file with mode 0600 and returns its identity. Throws (EEXIST) when `path` exists:
 * whatever is there was not written by us.
 */
export function writeNewPrivateFile(path: string, text: string): string {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  return fileIdentity(path) ?? '';
}

/**
 * Publishes `text` at `path` all at once (a reader never sees half a file): written to a temporary file, then
 * hard-linked (when `exclusive`: fails with EEXIST if `path` exists) or renamed over `path`.
 */
export function publishPrivateFile(path: string, text: string, exclusive: boolean): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    if (exclusive) linkSync(tmp, path);
    else renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Removes `path` if it is still the file whose identity is `identity`; otherwise leaves it. Returns whether it did. */
export function removeIfSame(path: string, identity: string | null | undefined): boolean {
  if (!identity || fileIdentity(path) !== identity) return false;
  rmSync(path, { force: true });
  return true;
}
