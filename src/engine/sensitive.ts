/**
 * Which fields of a resource are sensitive (`settings.persistence.sensitive`, a Secret's `data` and
 * `stringData` by default), resolved per resource and checked at the operator's start (a bad entry stops it
 * with an error naming the setting), and the digests of their values: HMAC-SHA256 keyed by
 * `settings.persistence.digestKey`, else by the object's uid (docs/sensitive.md). Called by operator.ts (the
 * check), resource-services.ts (each object's fields) and change-state.ts (the digests, via src/model/sensitive.ts).
 */
import { createHmac } from 'node:crypto';
import { parseField, type FieldPath } from '../model/dicts.ts';
import type { Resource } from '../model/resource.ts';
import type { OperatorSettings } from '../model/settings.ts';
import { DIGEST_PREFIX, type Digest } from '../model/sensitive.ts';
import { dumpsCompact } from '../model/pyjson.ts';
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

/**
 * The digest of an object's sensitive values: `hmac-sha256:` and the hex HMAC of the uid, the value's path and
 * its compact JSON, keyed by `key` (the operator's `digestKey`) or, when null, by the uid (a per-object salt).
 * The path is part of the input, so equal values under two keys get different digests.
 */
export function digester(key: string | null, uid: string): Digest {
  return (value, path) => {
    const hmac = createHmac('sha256', key ?? uid);
    hmac.update(`${uid}\0${path.join('\0')}\0${dumpsCompact(value)}`);
    return `${DIGEST_PREFIX}${hmac.digest('hex')}`;
  };
}
