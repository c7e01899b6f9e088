/**
 * What changed in an object since it was last handled: the stored diff-base (old essence), the current
 * essence and Kopf's diff between them. Computed once per body by the object actor's guards and reactions
 * (src/engine/object-actor.ts, src/engine/reaction.ts); cached per body object.
 */
import type { Body, JsonObject } from '../model/body.ts';
import { diff, type Diff } from '../model/diff.ts';
import { storagesOf } from '../model/storages.ts';
import { redactEssence } from '../model/sensitive.ts';
import { digester } from './sensitive.ts';
import type { ObjectServices } from './services.ts';

/** The change of one body. `old` is null when the object was never handled (no diff-base). */
export interface ChangeState {
  old: JsonObject | null;
  new: JsonObject;
  diff: Diff;
}

const cache = new WeakMap<Body, ChangeState>();

/** The change state of `body` (computed once per body object). */
export function changeState(services: Pick<ObjectServices, 'settings' | 'extraFields' | 'logger' | 'sensitiveFields'>, body: Body): ChangeState {
  const cached = cache.get(body);
  if (cached) return cached;
  const { progress, diffbase } = storagesOf(services.settings);
  const stored = diffbase.fetch({
    body,
    onMalformed: (key, err) => services.logger.warn(`The diff-base ${key} is unreadable and is ignored (the object is seen as new): ${err.message}`),
  });
  // Sensitive values (a Secret's data) are digests on both sides: stored so, compared so, shown so (docs/sensitive.md).
  const fields = services.sensitiveFields ?? [];
  const digest = digester(services.settings.persistence.digestKey, body.metadata.uid ?? '');
  const old = stored === null ? null : redactEssence(progress.clear({ essence: stored }), fields, digest);
  const current = redactEssence(progress.clear({ essence: diffbase.build({ body, extraFields: services.extraFields }) }), fields, digest);
  const state: ChangeState = { old, new: current, diff: old === null ? diff(null, current) : diff(old, current) };
  cache.set(body, state);
  return state;
}
