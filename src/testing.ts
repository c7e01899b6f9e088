/**
 * The public test kit, `kopf-ts/testing`: a real local control plane (`startControlPlane`), `applyManifests`
 * (YAML files into it, CRDs waited for until served) and `KopfRunner`, which runs an operator exactly as
 * `kopf-ts run …` does, in a child process, and lets a test wait for its log lines and stop it. Used by users' tests, by examples/NN-*\/*.test.ts and by the engine's own tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OperatorSettings } from './model/settings.ts';
import { SETTINGS_ENV } from './model/settings-merge.ts';

export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './cluster/index.ts';
/**
 * `applyManifests(kubeconfigPath, yamlText, namespace)`: applies every document of the YAML to the cluster of that
 * kubeconfig by server-side apply (creates it, or sets the fields the YAML sets and keeps the operator's
 * annotations, finalizers and status); namespaced objects without a namespace go to `namespace`. After a
 * CustomResourceDefinition it waits (up to 30 s) until the CRD is Established and served, so a CRD and objects of
 * it can be applied one after another. Resolves with the objects as the API server returned them.
 */
export { applyManifests, type ApplyManifestsOptions } from './kube/manifests.ts';

/** The line of src/engine/operator.ts that ready() waits for. */
const READY_LINE = /The operator is ready: every watched resource is listed\./;

// The package's own bin: this file is src/testing.ts in a checkout, dist/src/testing.js when installed.
const BIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../bin/kopf-ts.js' : '../../bin/kopf-ts.js', import.meta.url));

/** Options of a {@link KopfRunner}. */
export interface KopfRunnerOptions {
  /** Environment of the operator process (KUBECONFIG in particular); default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the operator process. */
  cwd?: string;
  /** Also print the operator's output to this process's stderr as it arrives. */
  echo?: boolean;
  /**
   * The command that runs kopf-ts, before `args` (default: this process's Node with this package's bin), e.g.
   * `['npx', 'kopf-ts']` or another Node: `['/opt/node24/bin/node', 'node_modules/kopf-ts/bin/kopf-ts.js']`.
   */
  command?: string[];
  /**
   * Settings for the operator (Kopf's `KopfRunner(settings=…)`): any part of the settings tree, e.g.
   * `{ watching: { serverTimeout: 10 } }` or a whole `kopf.defaultSettings()`. It crosses to the child process as
   * JSON in `$KOPF_TS_SETTINGS`, merged (strictly: a misspelt field fails the start) into the operator's settings
   * before the startup handlers run. Only data crosses: functions and class instances are refused here.
   */
  settings?: SettingsOverrides;
}

/** Any part of the settings tree (each group and field optional). */
export type SettingsOverrides = { [G in keyof OperatorSettings]?: Partial<OperatorSettings[G]> };

/** The settings as the JSON text of `$KOPF_TS_SETTINGS`; throws for what JSON cannot carry. */
function settingsJson(settings: SettingsOverrides): string {
  const check = (value: unknown, path: string): void => {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`KopfRunner: settings${path} is not a finite number.`);
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
    if (Array.isArray(value)) return value.forEach((v, i) => check(v, `${path}[${i}]`));
    if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) check(v, `${path}.${k}`);
      return;
    }
    throw new TypeError(`KopfRunner: settings${path} cannot cross to the operator process (only JSON data does): ${typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value}.`);
  };
  check(settings, '');
  return JSON.stringify(settings);
}

/**
 * Runs `kopf-ts <args…>` (e.g. `['run', '-n', 'ns1', 'operator.ts']`) in a child process, like Kopf's
 * `KopfRunner`. `output` holds everything it printed so far; `waitFor()` polls it with a deadline;
 * `stop()` sends SIGTERM (a graceful stop, as Ctrl-C) and resolves with the exit code.
 */
export class KopfRunner {
  readonly args: string[];
  #child: ChildProcess | null = null;
  #output = '';
  #exit: Promise<number | null> | null = null;
  readonly #options: KopfRunnerOptions;

  constructor(args: string[], options: KopfRunnerOptions = {}) {
    this.args = args;
    this.#options = options;
  }

  /** Everything the operator printed (stdout and stderr interleaved). */
  get output(): string {
    return this.#output;
  }

  /** The exit code once it exited; undefined while running. */
  exitCode: number | null | undefined = undefined;

  /** Starts the operator process. */
  start(): this {
    if (this.#child) throw new Error('KopfRunner: already started');
    const [file, ...leading] = this.#options.command ?? [process.execPath, BIN];
    if (!file) throw new Error('KopfRunner: an empty command');
    const settings = this.#options.settings ? { [SETTINGS_ENV]: settingsJson(this.#options.settings) } : {};
    const child = spawn(file, [...leading, ...this.args], {
      env: { ...(this.#options.env ?? process.env), ...settings, FORCE_COLOR: '0' },
      cwd: this.#options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: signals reach the operator also through wrappers such as `npx`, as Ctrl-C would.
      detached: true,
    });
    this.#child = child;
    const collect = (chunk: Buffer): void => {
      this.#output += chunk.toString();
      if (this.#options.echo) process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      });
    });
    return this;
  }

  /** Resolves with the first match of `pattern` in the output (searching from `from`), or throws after `timeoutMs`. */
  async waitFor(pattern: RegExp | string, timeoutMs = 30_000, from = 0): Promise<RegExpMatchArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.#output.slice(from).match(re);
      if (match) return match;
      if (this.exitCode !== undefined) {
        throw new Error(`the operator exited (code ${this.exitCode}) before printing ${re}; output:\n${this.#output}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re}; output:\n${this.#output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Resolves when the operator is watching: the startup handlers succeeded and every watched resource was listed
   * once (its line "The operator is ready: …"). Rejects if the operator exits first or after `timeoutMs`.
   */
  async ready(timeoutMs = 60_000): Promise<void> {
    if (this.args.includes('-q') || this.args.includes('--quiet')) {
      throw new Error('KopfRunner.ready() waits for an info line, which --quiet hides: wait with waitFor() instead.');
    }
    await this.waitFor(READY_LINE, timeoutMs);
  }

  /** How many times `pattern` occurs in the output so far. */
  count(pattern: RegExp): number {
    return [...this.#output.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'))].length;
  }

  /**
   * SIGTERM (graceful) to the operator's process group, SIGKILL after `killAfterMs`; resolves with the exit code
   * of the started command once every process of the group has exited. (A wrapper such as `npx` may report the
   * signal rather than the operator's own code: read the output for "The operator has stopped." then.)
   */
  async stop(killAfterMs = 20_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.#child || !this.#exit) throw new Error('KopfRunner: not started');
    this.#signalGroup(signal);
    const timer = setTimeout(() => this.#signalGroup('SIGKILL'), killAfterMs);
    await this.#exit;
    await this.#groupGone(killAfterMs + 5_000);
    clearTimeout(timer);
    return this.exitCode ?? null;
  }

  /** Kills the operator at once (SIGKILL to its process group), as a crash would. */
  async kill(): Promise<number | null> {
    if (!this.#child || !this.#exit) throw new Error('KopfRunner: not started');
    this.#signalGroup('SIGKILL');
    const code = await this.#exit;
    await this.#groupGone(5_000);
    return code;
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  /** Waits (bounded: an unreaped zombie also counts as alive) until no process of the group is left. */
  async #groupGone(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  #groupAlive(): boolean {
    const pid = this.#child?.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
