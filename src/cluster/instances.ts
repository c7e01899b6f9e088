/**
 * Named local control planes, as `kopf-ts cluster up --name NAME` runs them (called by src/cli/cluster.ts):
 * where each instance records itself (a state file per name), which instances are alive, and the cleanup of
 * what a dead one left (its state file and the kubeconfig it wrote, nothing else).
 *
 * Layout under ${XDG_CACHE_HOME:-~/.cache}/kopf-ts/ (directories created 0700, files 0600):
 *   clusters/<name>.json        the state of a running `cluster up` (pid, server, kubeconfig, child pids)
 *   kubeconfig                  the default kubeconfig of the instance `default`
 *   kubeconfig-<name>           the default kubeconfig of any other instance
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileIdentity, makePrivateDir, publishPrivateFile, removeIfSame } from './files.ts';

/** The instance used when no name is given. */
export const DEFAULT_INSTANCE = 'default';

/** What a running `cluster up` records about itself. */
export interface InstanceState {
  name: string;
  /** The `cluster up` process. */
  pid: number;
  /** That process's start time (Linux /proc), so that a reused pid is not mistaken for it; null elsewhere. */
  pidStart: string | null;
  kubeconfigPath: string;
  /** Identity (dev:ino:birth) of the kubeconfig it wrote (null until written): only that very file is ever removed. */
  kubeconfigId: string | null;
  /** https://127.0.0.1:PORT once ready ('' while starting). */
  server: string;
  /** etcd and kube-apiserver. */
  pids: number[];
  /** The plane's temporary directory (data, certificates, logs). */
  dir: string;
  startedAt: string;
}

/** ${XDG_CACHE_HOME:-~/.cache}/kopf-ts: where `cluster up` keeps its state and default kubeconfigs. */
export function clusterHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kopf-ts');
}

/** Throws unless `name` is a DNS label (it becomes part of file names). */
export function checkInstanceName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
    throw new Error(
      `invalid cluster name ${JSON.stringify(name)}: use lower-case letters, digits and '-' (at most 63)`,
    );
  }
}

/** The kubeconfig path of an instance when no --kubeconfig is given. */
export function defaultKubeconfigPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(clusterHome(env), name === DEFAULT_INSTANCE ? 'kubeconfig' : `kubeconfig-${name}`);
}

function statesDir(env: NodeJS.ProcessEnv): string {
  return join(clusterHome(env), 'clusters');
}

function statePath(name: string, env: NodeJS.ProcessEnv): string {
  return join(statesDir(env), `${name}.json`);
}

/** The start time of a process (field 22 of /proc/PID/stat), or null when it cannot be read. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the `cluster up` that wrote `state` is still running (the same process, not a reused pid). */
export function isLive(state: InstanceState): boolean {
  if (!isAlive(state.pid)) return false;
  return (
    state.pidStart === null || processStart(state.pid) === null || processStart(state.pid) === state.pidStart
  );
}

function readState(path: string): InstanceState | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as InstanceState;
  } catch {
    return null;
  }
}

/** The state of a running instance, or null; a dead instance's leftovers are cleaned on the way. */
export function findInstance(name: string, env: NodeJS.ProcessEnv = process.env): InstanceState | null {
  const path = statePath(name, env);
  const id = fileIdentity(path);
  if (!id) return null;
  const state = readState(path);
  if (state && isLive(state)) return state;
  // Dead: remove the kubeconfig it wrote (if still that file), then its state file — unless a new `cluster up`
  // has claimed the name meanwhile (a claim is always a new file).
  if (state) removeIfSame(state.kubeconfigPath, state.kubeconfigId);
  removeIfSame(path, id);
  return null;
}

/** All running instances, by name; dead instances' leftovers are cleaned on the way (their names returned too). */
export function listInstances(env: NodeJS.ProcessEnv = process.env): {
  live: InstanceState[];
  cleaned: string[];
} {
  const live: InstanceState[] = [];
  const cleaned: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(statesDir(env));
  } catch {
    return { live, cleaned };
  }
  for (const entry of entries.filter((e) => e.endsWith('.json')).sort()) {
    const name = entry.slice(0, -'.json'.length);
    const state = findInstance(name, env);
    if (state) live.push(state);
    else cleaned.push(name);
  }
  return { live, cleaned };
}

/** The claim of a name by one `cluster up` process: update() rewrites its state, release() removes it. */
export interface InstanceClaim {
  state: InstanceState;
  update(changes: Partial<InstanceState>): void;
  release(): void;
}

/**
 * Claims `name` for this process, atomically: fails with a clear message while another live `cluster up`
 * holds it; a dead holder's leftovers are cleaned and the claim is taken.
 */
export function claimInstance(
  name: string,
  kubeconfigPath: string,
  env: NodeJS.ProcessEnv = process.env,
): InstanceClaim {
  checkInstanceName(name);
  makePrivateDir(statesDir(env));
  const path = statePath(name, env);
  const state: InstanceState = {
    name,
    pid: process.pid,
    pidStart: processStart(process.pid),
    kubeconfigPath,
    kubeconfigId: null,
    server: '',
    pids: [],
    dir: '',
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      publishPrivateFile(path, JSON.stringify(state, null, 2) + '\n', true);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
      const holder = findInstance(name, env);
      if (holder) {
        const where = holder.server ? `at ${holder.server}` : 'starting';
        throw new Error(
          `a control plane named "${name}" is already up (pid ${holder.pid}, ${where}, kubeconfig ${holder.kubeconfigPath}); ` +
            `stop it with \`kopf-ts cluster down --name ${name}\`, or choose another --name`,
          { cause: err },
        );
      }
    }
  }
  return {
    state,
    update(changes) {
      Object.assign(state, changes);
      publishPrivateFile(path, JSON.stringify(state, null, 2) + '\n', false);
    },
    release() {
      const current = readState(path);
      if (current?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
