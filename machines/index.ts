/**
 * The statecharts of kopf-ts: the object lifecycle and its daemon and timer children, a held Lease (sharding) and
 * the admission webhook server. Imported by the engine, src/peering,
 * the `kopf-ts machines` renderer and the devtools.
 */
export { objectMachine, type ObjectActor, type ObjectContext, type ObjectInput, type ObjectMachineEvent, type ReactInput, type ReactOutput, type ReleaseInput, type Cause } from './object.ts';
export { isNewer } from './resource-version.ts';
export { daemonMachine, type DaemonActor, type DaemonInput, type DaemonContext, type StopReason, type BackgroundOutput } from './daemon.ts';
export { timerMachine, type TimerActor, type TimerInput, type TimerContext } from './timer.ts';
export { leaseMachine, isHeld, type LeaseActor, type LeaseInput, type LeaseContext, type AcquireOutput } from './lease.ts';
export { webhookMachine, type WebhookActor, type WebhookInput, type WebhookContext, type WebhookEvent, type ConfigureInput } from './webhook.ts';
