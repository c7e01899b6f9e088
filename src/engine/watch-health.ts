/**
 * The health of the operator's watches, for the liveness endpoint: every watch stream (each resource ×
 * namespace, the namespaces' and CRDs' own) registers its {@link WatchHealth} record here, which
 * src/kube/watch.ts updates as the stream fails and recovers. A watch failing for longer than
 * `settings.liveness.watchFailureLimit` is a problem. Filled by src/engine/operator.ts and watchers.ts; read by
 * src/engine/liveness.ts.
 */
import { newWatchHealth, type WatchHealth } from '../kube/watch.ts';

/** The watches' health records, by a readable name (`kopfexamples.v1.kopf.dev in ns1`). */
export class WatchHealthBoard {
  readonly #records = new Map<string, WatchHealth>();

  /** A fresh record for the named watch (replacing an older one of that name). */
  track(name: string): WatchHealth {
    const health = newWatchHealth();
    this.#records.set(name, health);
    return health;
  }

  /** Forgets a watch that stopped (a record given by {@link track}; a newer one of the same name is kept). */
  untrack(name: string, health: WatchHealth): void {
    if (this.#records.get(name) === health) this.#records.delete(name);
  }

  /** One line per watch failing for longer than `limitSeconds`. */
  problems(limitSeconds: number, now = Date.now()): string[] {
    const out: string[] = [];
    for (const [name, h] of this.#records) {
      if (h.failingSince === null) continue;
      const seconds = (now - h.failingSince) / 1000;
      if (seconds > limitSeconds)
        out.push(
          `The watch of ${name} has been failing for ${Math.round(seconds)} s (the limit is ${limitSeconds} s): ${h.lastError ?? 'unknown error'}`,
        );
    }
    return out;
  }
}
