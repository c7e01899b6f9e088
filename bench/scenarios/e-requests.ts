// stub
import type { Bench } from '../cluster.ts';
export async function scenarioE(_bench: Bench, ..._args: number[]): Promise<void> {}
