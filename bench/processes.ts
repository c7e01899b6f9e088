/**
 * The operators under test as child processes — kopf-ts (`bin/kopf-ts.js run`) and the real Kopf
 * (`venv/bin/kopf run`) — started the same way, with their output collected, their memory read from
 * /proc (VmRSS of the process and its descendants), and a graceful stop. Called by the scenarios.
 * BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to kopf-ts's node, for profiling.
 * BENCH_TS_ARGS (e.g. `--metrics 127.0.0.1:0`) is added to `kopf-ts run`'s options, to measure what they cost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/kopf-ts.js', import.meta.url));
const OPERATORS = fileURLToPath(new URL('.', import.meta.url));

/** Which operator. */
export type Impl = 'kopf-ts' | 'Kopf';

/** What every scenario needs to start an operator. */
export interface OperatorSpec {
  impl: Impl;
  /** The operator file's base name: bench/kopf-ts/<name>.ts or bench/kopf/<name>.py. */
  name: string;
  namespace: string;
  kubeconfig: string;
  kopfCommand: string;
  env?: Record<string, string>;
  echo?: boolean;
}

const live = new Set<OperatorProcess>();

/** Kills every operator still running (on Ctrl-C of the bench). */
export function killAll(): void {
  for (const op of live) op.child.kill('SIGKILL');
}

/** A running operator. */
export class OperatorProcess {
  readonly child: ChildProcess;
  output = '';
  exitCode: number | null | undefined = undefined;
  readonly #exit: Promise<number | null>;
  readonly startedAt = performance.now();

  constructor(readonly spec: OperatorSpec) {
    const env = { ...process.env, KUBECONFIG: spec.kubeconfig, FORCE_COLOR: '0', PYTHONUNBUFFERED: '1', ...spec.env };
    const [cmd, args] =
      spec.impl === 'kopf-ts'
        ? [process.execPath, ['--expose-gc', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, 'run', ...(process.env.BENCH_TS_ARGS ?? '').split(' ').filter(Boolean), '--standalone', '-n', spec.namespace, `${OPERATORS}kopf-ts/${spec.name}.ts`]]
        : [spec.kopfCommand, ['run', '--standalone', '-n', spec.namespace, `${OPERATORS}kopf/${spec.name}.py`]];
    this.child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString();
      if (spec.echo) process.stderr.write(chunk);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    live.add(this);
    this.#exit = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        live.delete(this);
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Waits for `pattern` in the output after `from`; throws if the process exits or on timeout. */
  async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.slice(from).match(pattern);
      if (match) return match;
      if (this.exitCode !== undefined) throw new Error(`${this.spec.impl} exited (${this.exitCode}) before printing ${pattern}:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.spec.impl}: timed out after ${timeoutMs} ms waiting for ${pattern}:\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resident memory (bytes) of the process and its descendants. */
  rss(): number {
    return [this.pid, ...descendants(this.pid)].reduce((sum, pid) => sum + vmRss(pid), 0);
  }

  /** The peak resident memory (bytes, VmHWM) of the process itself since it started. */
  peakRss(): number {
    return vmRss(this.pid, 'VmHWM');
  }

  /**
   * CPU seconds (user + system, from /proc/PID/stat) the operator and its child processes used so far; the
   * difference around a phase is the operator's own CPU time of that phase (issue 16).
   */
  cpuSeconds(): number {
    return [this.pid, ...descendants(this.pid)].reduce((sum, pid) => sum + cpuTicks(pid), 0) / CLOCK_TICKS;
  }

  /** kopf-ts only: asks the operator (bench/kopf-ts/common.ts) for process.memoryUsage() and waits for the answer. */
  async memoryUsage(): Promise<NodeJS.MemoryUsage> {
    const from = this.output.length;
    this.child.kill('SIGUSR2');
    const match = await this.waitFor(/BENCH-MEMORY (\{.*\})/, 10_000, from);
    return JSON.parse(match[1]!) as NodeJS.MemoryUsage;
  }

  /** SIGTERM, SIGKILL after `killAfterMs`. */
  async stop(killAfterMs = 20_000): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
      await this.#exit;
      clearTimeout(timer);
    }
  }
}

/** Clock ticks per second of /proc/PID/stat (`getconf CLK_TCK`: 100 on Linux x86_64). */
const CLOCK_TICKS = 100;

/** utime + stime of a process, in clock ticks (0 when it is gone). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function vmRss(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}
