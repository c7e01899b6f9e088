/**
 * Which discovered resources the operator serves: each registered selector resolved against the discovered
 * resources, with Kopf's warnings for ambiguous and unresolved selectors. Called by src/engine/operator.ts at
 * start and after each rediscovery.
 */
import { resourceName, type Resource } from '../model/resource.ts';
import { selectResources, type Selector } from '../handlers/selector.ts';
import type { Logger } from '../observe/log.ts';

/** A served resource and the selectors that resolved to it. */
export interface ServedResource {
  resource: Resource;
  selectors: Set<Selector>;
}

/** The served resources by name; an ambiguous selector serves none of its candidates (warned). */
export function servedResources(
  selectors: Iterable<Selector>,
  resources: readonly Resource[],
  logger: Logger,
): Map<string, ServedResource> {
  const served = new Map<string, ServedResource>();
  for (const selector of selectors) {
    const resolution = selectResources(selector, resources);
    if (resolution.ambiguous.length) {
      logger.warn(
        `Ambiguous resources will not be served (try specifying API groups): ${selector.text} → ${resolution.ambiguous.map(resourceName).join(', ')}`,
      );
    } else if (resolution.unresolved) {
      logger.warn(`Unresolved resources cannot be served (try creating their CRDs): ${selector.text}`);
    }
    for (const r of resolution.resources) {
      const entry = served.get(resourceName(r)) ?? { resource: r, selectors: new Set<Selector>() };
      entry.resource = r;
      entry.selectors.add(selector);
      served.set(resourceName(r), entry);
    }
  }
  return served;
}
