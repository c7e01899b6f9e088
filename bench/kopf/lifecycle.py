# Scenario (b) of bench/run.ts, the Kopf side: create, update and delete handlers; create and update return
# results (status.create_fn, status.update_fn). Equivalent to bench/kopf-ts/lifecycle.ts.
import kopf


@kopf.on.create('kopfexamples')
async def create_fn(**_):
    return {'message': 'created'}


@kopf.on.update('kopfexamples')
async def update_fn(spec, **_):
    return {'round': spec.get('round')}


@kopf.on.delete('kopfexamples')
async def delete_fn(**_):
    return None
