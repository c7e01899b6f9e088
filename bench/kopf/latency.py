# Scenario (d) of bench/run.ts, the Kopf side: an update handler that prints how long ago the change was made
# (`BENCH-LAT <ms>`, from spec.stamp, the driver's wall clock in ms). Equivalent to bench/kopf-ts/latency.ts.
import time

import kopf


@kopf.on.create('kopfexamples')
async def create_fn(**_):
    return None


@kopf.on.update('kopfexamples')
async def update_fn(spec, **_):
    stamp = spec.get('stamp')
    if isinstance(stamp, (int, float)):
        print(f'BENCH-LAT {time.time() * 1000 - stamp:.1f}', flush=True)
    return None
