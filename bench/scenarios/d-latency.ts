// stub
import type { Bench } from '../cluster.ts';
export async function scenarioD(_bench: Bench, ..._args: number[]): Promise<void> {}
