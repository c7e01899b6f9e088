# Scenario (c) of bench/run.ts, the Kopf side: a create handler returning nothing (it marks the warm-up object
# handled) and a resume handler that counts the objects resumed and prints `BENCH-RESUMED <n>` once
# BENCH_EXPECT of them were. Equivalent to bench/kopf-ts/idle.ts.
import os

import kopf

EXPECT = int(os.environ.get('BENCH_EXPECT', '0'))
resumed = 0


@kopf.on.create('kopfexamples')
async def create_fn(**_):
    return None


@kopf.on.resume('kopfexamples')
async def resume_fn(**_):
    global resumed
    resumed += 1
    if resumed == EXPECT:
        print(f'BENCH-RESUMED {resumed}', flush=True)
    return None
