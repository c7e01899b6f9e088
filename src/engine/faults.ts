/**
 * Fault points for the reliability tests (test/engine/crash-safety.test.ts): with `KOPF_TS_FAULTS=name[,name]`
 * in its environment, the operator SIGKILLs itself when it reaches a named point, exactly as a crash would
 * stop it there. Unset (always, outside those tests), a point costs one Set lookup. Called by src/engine/writer.ts.
 *
 * Points: `after-status-write` (a reaction's `/status` patch is acknowledged; the object's own patch is not sent).
 */
const armed = new Set((process.env.KOPF_TS_FAULTS ?? '').split(',').filter(Boolean));

/** Kills the process (SIGKILL, nothing flushed) when `name` is armed. */
export function faultPoint(name: 'after-status-write'): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
