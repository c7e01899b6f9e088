# Scenario (a) of bench/run.ts, the Kopf side: one create handler returning a result (status.create_fn).
# Equivalent to bench/kopf-ts/create.ts. Started by bench/processes.ts with `kopf run --standalone -n NS`.
import kopf


@kopf.on.create('kopfexamples')
async def create_fn(**_):
    return {'message': 'hello'}
