// stub
import type { Bench } from '../cluster.ts';
export async function scenarioF(_bench: Bench, ..._args: number[]): Promise<void> {}
