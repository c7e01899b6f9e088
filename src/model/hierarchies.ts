/**
 * Parent–child helpers of operators (Kopf's `kopf.adopt`, `kopf.label`, `kopf.harmonize_naming`,
 * `kopf.adjust_namespace`, `kopf.append_owner_reference`, `kopf.remove_owner_reference`): they edit plain
 * child manifests in place before the user creates them. Pure functions with an explicit owner; the front
 * door (src/index.ts) fills the owner from the running handler's body when it is omitted.
 */
import type { AnyBody, OwnerReference } from './body.ts';

type Objs = AnyBody | AnyBody[];

function each(objs: Objs): AnyBody[] {
  return Array.isArray(objs) ? objs : [objs];
}

function meta(obj: AnyBody): AnyBody['metadata'] {
  obj.metadata ??= {};
  return obj.metadata;
}

/** An owner reference to `owner`, as Kopf builds it (controller and block-owner-deletion by default). */
export function buildOwnerReference(owner: AnyBody, options: { controller?: boolean; blockOwnerDeletion?: boolean } = {}): OwnerReference {
  const { apiVersion, kind } = owner;
  const { name, uid } = owner.metadata;
  if (!apiVersion || !kind || !name || !uid) {
    throw new Error('An owner must have apiVersion, kind, metadata.name and metadata.uid to be referenced');
  }
  return { apiVersion, kind, name, uid, controller: options.controller ?? true, blockOwnerDeletion: options.blockOwnerDeletion ?? true };
}

/** Adds an owner reference to `owner` unless one with its uid is there. */
export function appendOwnerReference(objs: Objs, owner: AnyBody, options: { controller?: boolean; blockOwnerDeletion?: boolean } = {}): void {
  const ref = buildOwnerReference(owner, options);
  for (const obj of each(objs)) {
    const refs = (meta(obj).ownerReferences ??= []);
    if (!refs.some((r) => r.uid === ref.uid)) refs.push(ref);
  }
}

/** Removes the owner reference to `owner`, if any. */
export function removeOwnerReference(objs: Objs, owner: AnyBody): void {
  const uid = owner.metadata.uid;
  for (const obj of each(objs)) {
    const m = meta(obj);
    if (m.ownerReferences) m.ownerReferences = m.ownerReferences.filter((r) => r.uid !== uid);
  }
}

/** Copies labels onto the objects; existing keys are kept unless `forced`. */
export function label(objs: Objs, labels: Record<string, string>, options: { forced?: boolean } = {}): void {
  for (const obj of each(objs)) {
    const own = (meta(obj).labels ??= {});
    for (const [key, value] of Object.entries(labels)) if (options.forced || !(key in own)) own[key] = value;
  }
}

/**
 * Names unnamed objects after `name`: `generateName: "<name>-"`, or exactly `name` when `strict`.
 * Objects that already have a name or generateName keep it unless `forced`.
 */
export function harmonizeNaming(objs: Objs, name: string, options: { forced?: boolean; strict?: boolean } = {}): void {
  for (const obj of each(objs)) {
    const m = meta(obj);
    if (!options.forced && (m.name !== undefined || m.generateName !== undefined)) continue;
    if (options.strict) {
      m.name = name;
      delete m.generateName;
    } else {
      m.generateName = `${name}-`;
      delete m.name;
    }
  }
}

/** Puts the objects into `namespace` unless they have one (or always, when `forced`). */
export function adjustNamespace(objs: Objs, namespace: string | undefined, options: { forced?: boolean } = {}): void {
  if (namespace === undefined) return;
  for (const obj of each(objs)) {
    const m = meta(obj);
    if (options.forced || m.namespace === undefined) m.namespace = namespace;
  }
}

/** Options of {@link adopt}. */
export interface AdoptOptions {
  forced?: boolean;
  strict?: boolean;
  /** Skip copying the owner's labels. */
  nolabels?: boolean;
}

/** Makes the objects children of `owner`: owner reference, namespace, name and labels, as Kopf's `adopt`. */
export function adopt(objs: Objs, owner: AnyBody, options: AdoptOptions = {}): void {
  appendOwnerReference(objs, owner);
  if (owner.metadata.name) harmonizeNaming(objs, owner.metadata.name, options);
  adjustNamespace(objs, owner.metadata.namespace, options);
  if (!options.nolabels) label(objs, owner.metadata.labels ?? {}, options);
}
