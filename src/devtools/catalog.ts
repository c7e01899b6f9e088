/**
 * Every statechart machines/index.ts exports (the object lifecycle, and whatever machines are added there
 * later), by machine id. Read by `kopf-ts machines` (src/cli/machines.ts) and by the devtools server, which
 * draws the diagram of each live actor whose logic is one of them.
 */
import * as exported from '../../machines/index.ts';
import { machinesOf } from './graph.ts';

/** The machines, by id (`object` first). */
export const MACHINES = machinesOf(exported as unknown as Record<string, unknown>);
