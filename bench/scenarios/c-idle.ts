// stub
import type { Bench } from '../cluster.ts';
export async function scenarioC(_bench: Bench, ..._args: number[]): Promise<void> {}
