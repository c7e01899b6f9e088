/**
 * The front door of kopf-ts: `import * as kopf from 'kopf-ts'`. Explicit named exports only: registration
 * (`kopf.on.*`, `kopf.daemon`, `kopf.timer`, sub-handlers), errors, filters, Events, hierarchies, settings and running/embedding.
 */
import type { AnyBody, Body } from './model/body.ts';
import type { ChangingFn, Spec, Status } from './handlers/kwargs.ts';
import type { ErrorsMode } from './model/errors.ts';
import * as hierarchies from './model/hierarchies.ts';
import { currentPoster } from './engine/posting.ts';
import { currentEventSink, currentInvocation } from './execution/handler-context.ts';
import type { OperatorOptions } from './engine/operator.ts';
import { describe } from './execution/attempt.ts';
import { ConnectionInfo } from './model/connection-info.ts';
import type { KubeconfigLoginOptions } from './kube/credentials.ts';
import { checkOptions } from './handlers/options.ts';
import { checkStorableId } from './handlers/ids.ts';

export { on, daemon, timer } from './on.ts';
export type {
  ChangingOptions,
  CreateOptions,
  ResumeOptions,
  UpdateOptions,
  DeleteOptions,
  FieldOptions,
  EventOptions,
  DaemonOptions,
  TimerOptions,
  ActivityOptions,
  ResourceFilterOptions,
  FieldOption,
  ChangingRegistration,
  FieldRegistration,
  EventRegistration,
  SpawningRegistration,
  ActivityRegistration,
  LoginRegistration,
  LoginFn,
  LoginKwargs,
  LoginResult,
} from './on.ts';
export type { ProbeOptions, ProbeRegistration } from './on.ts';
export { DaemonStoppingReason } from './execution/stop-flag.ts';
// Indexes (docs/indexes.md): `kopf.index`, `kopf.Index`, `kopf.Store`.
export { index } from './on.ts';
export type { IndexOptions, IndexKwargs, IndexFn, IndexRegistration } from './on.ts';
export { Index, Store, type IndexKey } from './model/indexes.ts';
export { PRESENT, ABSENT, not_, all_, any_, none_ } from './handlers/filters.ts';
export { EVERYTHING } from './handlers/selector.ts';
export { getDefaultRegistry, setDefaultRegistry, Registry } from './handlers/registry.ts';
export type {
  Spec,
  Status,
  Meta,
  Labels,
  Annotations,
  BodyEssence,
  PatchOf,
  JsonLike,
  HandlerResult,
  Logger,
  LogFn,
  HandlerLogger,
  ResourceKwargs,
  InvocationKwargs,
  ChangingKwargs,
  EventKwargs,
  DaemonKwargs,
  AsyncDaemonKwargs,
  SyncDaemonKwargs,
  TimerKwargs,
  ActivityKwargs,
  CauseKwargs,
  DaemonStopped,
  AsyncDaemonStopped,
  SyncDaemonStopped,
  HandlerFunction,
  ChangingFn,
  EventFn,
  DaemonFn,
  AsyncDaemonFn,
  SyncDaemonFn,
  ActivityFn,
} from './handlers/kwargs.ts';
export type { ProbeKwargs, ProbeFn } from './handlers/kwargs.ts';
// Admission webhooks (docs/admission.md): `kopf.on.validate/mutate`, the servers and tunnels, the review types.
export type { WebhookKwargs, WebhookFn as AdmissionFn } from './handlers/kwargs.ts';
export type { WebhookOptions, WebhookRegistration } from './on.ts';
export { WebhookServer, type WebhookServerOptions, type VerifyMode, type ServeContext } from './admission/server.ts';
export { WebhookK3dServer, WebhookMinikubeServer, WebhookDockerDesktopServer, WebhookAutoServer } from './admission/servers.ts';
export { WebhookNgrokTunnel, WebhookAutoTunnel, WebhookTunnelError, type WebhookNgrokTunnelOptions } from './admission/tunnels.ts';
export {
  WebhookRequestError,
  type AdmissionReview,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type Operation,
  type UserInfo,
  type Headers,
  type SslPeer,
  type WebhookClientConfig,
  type WebhookFn,
  type WebhookServerProtocol,
  type WebhookRequestInfo,
} from './model/reviews.ts';
export type { ValueCriterion, WhenCallback } from './handlers/filters.ts';
export type { SelectorInput } from './handlers/selector.ts';
export {
  TemporaryError,
  PermanentError,
  HandlerTimeoutError,
  HandlerRetriesError,
  AdmissionError,
  ErrorsMode,
  type TemporaryErrorOptions,
} from './model/errors.ts';
export { Memo } from './model/memo.ts';
export { defaultSettings, type OperatorSettings } from './model/settings.ts';
export type { Body, RawEvent, RawEventType, ObjectMeta, OwnerReference } from './model/body.ts';
export type { Diff, DiffItem, DiffOperation } from './model/diff.ts';
export type { FieldPath, FieldSpec } from './model/dicts.ts';
export type { Patch } from './model/patch.ts';
export type { Resource } from './model/resource.ts';
export type { OperatorOptions } from './engine/operator.ts';
// Kopf's storage choices (settings.persistence.progressStorage / diffbaseStorage).
export {
  ProgressStorage,
  AnnotationsProgressStorage,
  StatusProgressStorage,
  MultiProgressStorage,
  SmartProgressStorage,
  type AnnotationsProgressStorageOptions,
  type StatusProgressStorageOptions,
  type SmartProgressStorageOptions,
} from './model/progress-storages.ts';
export {
  DiffBaseStorage,
  AnnotationsDiffBaseStorage,
  StatusDiffBaseStorage,
  MultiDiffBaseStorage,
  type DiffBaseStorageOptions,
  type AnnotationsDiffBaseStorageOptions,
  type StatusDiffBaseStorageOptions,
} from './model/diffbase-storages.ts';
export type { ProgressRecord } from './model/progress.ts';
export { configure, LogFormat, type ConfigureOptions } from './observe/configure.ts';

function ownerOrCurrent(owner: AnyBody | undefined, what: string): AnyBody {
  if (owner) return owner;
  const ctx = currentInvocation();
  if (!ctx) throw new Error(`kopf.${what}() without an owner works only inside a handler; pass the owner body explicitly.`);
  return ctx.body as AnyBody;
}

/** Makes `objs` children of `owner` (default: the object of the running handler). */
export function adopt(objs: AnyBody | AnyBody[], owner?: AnyBody, options: hierarchies.AdoptOptions = {}): void {
  hierarchies.adopt(objs, ownerOrCurrent(owner, 'adopt'), options);
}
/** Adds an owner reference to `owner` (default: the running handler's object). */
export function append_owner_reference(objs: AnyBody | AnyBody[], owner?: AnyBody): void {
  hierarchies.appendOwnerReference(objs, ownerOrCurrent(owner, 'append_owner_reference'));
}
/** Removes the owner reference to `owner` (default: the running handler's object). */
export function remove_owner_reference(objs: AnyBody | AnyBody[], owner?: AnyBody): void {
  hierarchies.removeOwnerReference(objs, ownerOrCurrent(owner, 'remove_owner_reference'));
}
/** Copies `labels` (default: the running handler's object's labels) onto the objects. */
export function label(objs: AnyBody | AnyBody[], labels?: Record<string, string>, options: { forced?: boolean } = {}): void {
  hierarchies.label(objs, labels ?? ownerOrCurrent(undefined, 'label').metadata.labels ?? {}, options);
}
/** Names unnamed objects after `name` (default: the running handler's object's name). */
export function harmonize_naming(objs: AnyBody | AnyBody[], name?: string, options: { forced?: boolean; strict?: boolean } = {}): void {
  hierarchies.harmonizeNaming(objs, name ?? ownerOrCurrent(undefined, 'harmonize_naming').metadata.name ?? '', options);
}
/** Puts objects into `namespace` (default: the running handler's object's namespace). */
export function adjust_namespace(objs: AnyBody | AnyBody[], namespace?: string, options: { forced?: boolean } = {}): void {
  hierarchies.adjustNamespace(objs, namespace ?? ownerOrCurrent(undefined, 'adjust_namespace').metadata.namespace, options);
}

/** Options of the Event functions. */
export interface EventOptions2 {
  type?: string;
  reason: string;
  message?: string;
}

function post(objs: AnyBody | AnyBody[], type: string, reason: string, message: string): void {
  // The running handler's sink (a pool worker's collector, or the operator's poster), else the operator's poster.
  const sink = currentEventSink() ?? currentPoster();
  if (!sink) throw new Error('kopf.event()/info()/warn()/exception() work only while an operator runs (in a handler, or with an operator started in this process).');
  // The poster reads only the object's identity (apiVersion, kind, metadata), never its spec or status.
  for (const object of Array.isArray(objs) ? objs : [objs]) sink({ object: object as Body, type, reason, message });
}

/** Posts a Kubernetes Event of any type about the object(s). */
export function event(objs: AnyBody | AnyBody[], options: { type: string; reason: string; message?: string }): void {
  post(objs, options.type, options.reason, options.message ?? '');
}
/** Posts a `Normal` Event. */
export function info(objs: AnyBody | AnyBody[], options: { reason: string; message?: string }): void {
  post(objs, 'Normal', options.reason, options.message ?? '');
}
/** Posts a `Warning` Event. */
export function warn(objs: AnyBody | AnyBody[], options: { reason: string; message?: string }): void {
  post(objs, 'Warning', options.reason, options.message ?? '');
}
/** Posts an `Error` Event; the reason defaults to the exception's class name; the message gets its text. */
export function exception(objs: AnyBody | AnyBody[], options: { reason?: string; message?: string; exc?: unknown }): void {
  const exc = options.exc;
  const reason = options.reason || (exc instanceof Error ? exc.name : 'Error');
  const message = [options.message ?? '', exc !== undefined ? describe(exc) : ''].filter(Boolean).join(' ');
  post(objs, 'Error', reason, message);
}

/** Options of a sub-handler. */
export interface SubhandlerOptions {
  id?: string;
  errors?: ErrorsMode;
  timeout?: number | null;
  retries?: number | null;
  backoff?: number | null;
  param?: unknown;
}

/** Declares a sub-handler of the running change handler (id `parent/child`). */
export function subhandler<S extends object = Spec, St extends object = Status>(options: SubhandlerOptions, fn: ChangingFn<S, St>): ChangingFn<S, St> {
  checkOptions('subhandler', options, options.id ?? fn.name);
  const ctx = currentInvocation();
  if (!ctx || ctx.kind !== 'changing') throw new TypeError('kopf.subhandler() can only be used inside a change handler.');
  const id = options.id ?? fn.name;
  if (!id) throw new TypeError('An anonymous sub-handler needs an id: kopf.subhandler({ id: "..." }, fn).');
  checkStorableId(id, 'sub-handler');
  ctx.declared.push({ id, fn, options });
  return fn;
}

/** The function form of {@link subhandler}: `kopf.register(fn, { id })`. */
export function register<S extends object = Spec, St extends object = Status>(fn: ChangingFn<S, St>, options: SubhandlerOptions = {}): ChangingFn<S, St> {
  return subhandler(options, fn);
}

/** Runs the declared sub-handlers now (else they run when the parent returns). */
export async function execute(): Promise<void> {
  const ctx = currentInvocation();
  if (!ctx || ctx.kind !== 'changing') throw new TypeError('kopf.execute() can only be used inside a change handler.');
  await ctx.execute();
}

/**
 * Runs an operator in this process until `options.signal` aborts (the embedding API, Kopf's
 * `kopf.operator()`). In a pool worker thread it does nothing.
 */
export async function operator(options: OperatorOptions = {}): Promise<void> {
  if ((globalThis as Record<symbol, unknown>)[Symbol.for('kopf-ts.worker')]) return;
  // Imported here, not at the top: a pool thread imports the operator's files (and so this module) but never
  // runs an operator; without this, every thread would load the engine and the HTTP client (issue 16).
  const { runOperator } = await import('./engine/operator.ts');
  await runOperator(options);
}

/** Same as {@link operator} (Kopf's `kopf.run()`, which is its blocking form). */
export const run = operator;

// Login (docs/login.md): what `kopf.on.login` handlers return, and the default login as a function.
export { ConnectionInfo, type ConnectionInfoFields } from './model/connection-info.ts';
export { LoginError } from './kube/vault.ts';
export type { KubeconfigLoginOptions } from './kube/credentials.ts';

/**
 * Kopf's `login_via_client`: the credentials of the kubeconfig ($KUBECONFIG, ~/.kube/config, or `kubeconfig`)
 * or of the pod's service account, as a ConnectionInfo (priority 10). It is the default login when no
 * `kopf.on.login` handler exists; a login handler may call it and adjust the result. Login handlers'
 * kwargs may be passed as they are (they are ignored).
 */
export async function loginViaClient(options: KubeconfigLoginOptions & Record<string, unknown> = {}): Promise<ConnectionInfo> {
  const { connectionInfoFromKubeconfig } = await import('./kube/credentials.ts');
  return new ConnectionInfo(await connectionInfoFromKubeconfig({ kubeconfig: options.kubeconfig, context: options.context }));
}
/** Kopf's spelling of {@link loginViaClient}. */
export const login_via_client = loginViaClient;
