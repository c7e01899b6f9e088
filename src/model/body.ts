/**
 * Kubernetes object bodies and raw watch events as plain data.
 *
 * Everything in kopf-ts passes bodies around as these plain JSON shapes (they cross worker threads by
 * structured clone). Used by every layer; imports nothing.
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** The object's `metadata`, with the fields kopf-ts reads typed; anything else passes through. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** An entry of `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A Kubernetes object as the API returns it; `S` and `St` type its `spec` and `status`. */
export interface Body<S = Record<string, unknown>, St = Record<string, unknown>> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: S;
  status?: St;
  [key: string]: unknown;
}

/** A body whatever its spec and status types: what helpers that read or set only the rest take. */
export type AnyBody = Body<unknown, unknown>;

/**
 * A watch event. `type: null` marks an object found by the initial LIST (Kopf's convention), as opposed
 * to a live `ADDED` event from the watch stream.
 */
export type RawEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | null;

/** One event for one object, from a LIST (type null) or a WATCH. */
export interface RawEvent<S = Record<string, unknown>, St = Record<string, unknown>> {
  type: RawEventType;
  object: Body<S, St>;
}

/** The namespace/name/uid triple that identifies an object in logs and Events. */
export interface ObjectRef {
  apiVersion?: string;
  kind?: string;
  namespace?: string | undefined;
  name?: string | undefined;
  uid?: string | undefined;
}

/** The identity of a body for logs and Events. */
export function refOf(body: AnyBody): ObjectRef {
  return {
    apiVersion: body.apiVersion,
    kind: body.kind,
    namespace: body.metadata.namespace,
    name: body.metadata.name,
    uid: body.metadata.uid,
  };
}

/** True when a value is a plain (non-array, non-null) object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
