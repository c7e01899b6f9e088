/**
 * Starting and stopping the control plane's child processes so that none outlives its parent.
 *
 * Used by control-plane.ts. Each child is started under `setpriv --pdeathsig TERM` when util-linux's setpriv
 * exists, so the kernel signals it if our process dies, even by SIGKILL; and a process 'exit' hook kills
 * whatever is still running on a normal exit. Each runs in a process group of its own, so a terminal's Ctrl-C
 * reaches only our process, which decides the order of stopping. stop() sends SIGTERM, then SIGKILL after a
 * grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  });
}

/** A started child process with its log file and the tail of its output. */
export interface Child {
  name: string;
  process: ChildProcess;
  logPath: string;
  /** The last lines the process printed (for error messages). */
  tail(): string;
  /** Resolves when the process exits. */
  exited: Promise<number | null>;
}

/** Starts `command args`, logging both output streams to `logPath`. */
export function startChild(name: string, command: string, args: string[], logPath: string): Child {
  installExitHook();
  const argv = SETPRIV ? [SETPRIV, '--pdeathsig', 'TERM', '--', command, ...args] : [command, ...args];
  // A process group of its own: a Ctrl-C in the terminal reaches our process, which stops the operator first and
  // then the plane, instead of killing etcd and kube-apiserver under an operator that is still writing.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  const log = createWriteStream(logPath);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      lines.push(`cannot start ${command}: ${err.message}`);
      running.delete(child);
      resolve(-1);
    });
    child.on('exit', (code, signal) => {
      running.delete(child);
      log.end();
      resolve(code ?? (signal ? -1 : null));
    });
  });
  return { name, process: child, logPath, exited, tail: () => lines.slice(-20).join('\n') };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  try {
    await child.exited;
  } finally {
    clearTimeout(timer);
  }
}
