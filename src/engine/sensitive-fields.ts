/**
 * Which fields of a resource are sensitive (`settings.persistence.sensitive`, a Secret's `data` and
 * `stringData` by default): resolved once per resource and settings object, checked at the operator's start
 * (a bad entry stops it with an error naming the setting). Called by src/engine/operator.ts (the check) and
 * resource-services.ts (the fields of each object's services, which change-state.ts and reaction.ts use).
 */
import { parseField, type FieldPath } from '../model/dicts.ts';
import type { Resource } from '../model/resource.ts';
import type { OperatorSettings } from '../model/settings.ts';
import { matchesResource, parseSelector, type Selector } from '../handlers/selector.ts';

interface Parsed {
  selector: Selector;
  fields: FieldPath[];
}

const parsedCache = new WeakMap<object, Parsed[]>();

/** The parsed entries of `settings.persistence.sensitive`; throws a TypeError naming a bad entry. */
export function checkSensitive(settings: OperatorSettings): Parsed[] {
  const entries: unknown = settings.persistence.sensitive;
  const cached = typeof entries === 'object' && entries !== null ? parsedCache.get(entries) : undefined;
  if (cached) return cached;
  if (!Array.isArray(entries)) {
    throw new TypeError(
      `settings.persistence.sensitive must be an array of { resource, fields }, got ${JSON.stringify(entries)}.`,
    );
  }
  const parsed = entries.map((entry: unknown, i) => {
    const where = `settings.persistence.sensitive[${i}]`;
    const { resource, fields } = (entry ?? {}) as { resource?: unknown; fields?: unknown };
    if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string' || f === '')) {
      throw new TypeError(
        `${where}.fields must be an array of field names ('data', 'spec.password'), got ${JSON.stringify(fields)}.`,
      );
    }
    if (
      typeof resource !== 'string' &&
      (typeof resource !== 'object' || resource === null || Array.isArray(resource))
    ) {
      throw new TypeError(
        `${where}.resource must be a resource selector ('secrets', { group: '', plural: 'secrets' }), got ${JSON.stringify(resource)}.`,
      );
    }
    let selector: Selector;
    try {
      selector = parseSelector(resource as Parameters<typeof parseSelector>[0]);
    } catch (err) {
      throw new TypeError(`${where}.resource: ${(err as Error).message}`, { cause: err });
    }
    return { selector, fields: (fields as string[]).map((f) => parseField(f)) };
  });
  parsedCache.set(entries, parsed);
  return parsed;
}

/** The sensitive fields of `resource` under `settings` (empty when it has none). */
export function sensitiveFieldsOf(settings: OperatorSettings, resource: Resource): FieldPath[] {
  const out: FieldPath[] = [];
  for (const { selector, fields } of checkSensitive(settings))
    if (matchesResource(selector, resource)) out.push(...fields);
  return out;
}
