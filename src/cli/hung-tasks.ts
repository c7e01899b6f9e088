/**
 * What `kopf-ts run` waits for after the cleanup handlers, before it exits: Kopf's "hung tasks". In Node, what
 * handlers started and left running shows as active resources of the event loop (`process.getActiveResourcesInfo()`:
 * timers, sockets, file operations, child processes, …). Those beyond what the CLI itself had at start (its stdio)
 * get up to `settings.process.hungTasksTimeout` seconds to finish; then the CLI exits anyway. A promise that waits
 * on nothing of the loop cannot be seen (and would never settle). Called by src/cli/run.ts.
 */
import type { Logger } from '../observe/log.ts';

/** How long the operator's own sockets and streams get to close before the wait is announced. */
const GRACE_MS = 500;

/** Counts of active resources by type. */
export type ResourceCounts = Map<string, number>;

/** The event loop's active resources now, counted by type (Node ≥ 17). */
export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** What is active now beyond `baseline`, as `Timeout×2, FSReqPromise` (empty: nothing). */
export function beyond(baseline: ResourceCounts): string[] {
  const out: string[] = [];
  for (const [type, count] of activeResources()) {
    const extra = count - (baseline.get(type) ?? 0);
    if (extra > 0) out.push(extra > 1 ? `${type}×${extra}` : type);
  }
  return out;
}

/**
 * Waits until nothing beyond `baseline` is active, or `timeoutS` seconds passed; resolves with what was left
 * (empty when everything finished). Polls with a timer, checked after it fired (when Node no longer counts it).
 */
export async function waitForHungTasks(
  baseline: ResourceCounts,
  timeoutS: number,
  logger: Logger,
): Promise<string[]> {
  const started = Date.now();
  const deadline = started + Math.max(0, timeoutS) * 1000;
  let left = beyond(baseline);
  let announced = false;
  while (left.length && Date.now() < deadline) {
    // The operator's own connections and streams take a moment to close: only what outlives it is announced.
    if (!announced && Date.now() - started >= GRACE_MS) {
      logger.info(
        `Waiting up to ${timeoutS} s for what the handlers started and left running: ${left.join(', ')}.`,
      );
      announced = true;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
    left = beyond(baseline);
  }
  if (left.length) logger.warn(`Hung tasks are abandoned after ${timeoutS} s: ${left.join(', ')}.`);
  else if (announced) logger.info('What the handlers started has finished.');
  return left;
}
