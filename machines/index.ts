/**
 * The statecharts of kopf-ts: the object lifecycle (daemons and timers to come). Imported by the engine,
 * the `kopf-ts machines` renderer and the devtools.
 */
export { objectMachine, type ObjectActor, type ObjectContext, type ObjectInput, type ObjectMachineEvent, type ReactInput, type ReactOutput, type ReleaseInput, type Cause } from './object.ts';
export { isNewer } from './resource-version.ts';
