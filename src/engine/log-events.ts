/**
 * The logger → Kubernetes Events bridge (`settings.posting.loggers`, off by default as in Kopf 1.44): an
 * object's logger whose records at `settings.posting.level` or above are also posted as Events about the
 * object (reason `Logging`; type Normal for info, Warning for warn, Error for error). Used by
 * src/engine/object-actor.ts; the framework's own debug lines are never posted.
 */
import type { Body } from '../model/body.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { Logger } from '../observe/log.ts';
import type { EventPoster } from './posting.ts';

const TYPES = { info: 'Normal', warn: 'Warning', error: 'Error' } as const;
const RANK = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** Wraps an object logger so that its info/warn/error records are also posted as Events. */
export function postingLogger(logger: Logger, body: Body, poster: EventPoster, settings: OperatorSettings): Logger {
  const object: Body = {
    apiVersion: body.apiVersion,
    kind: body.kind,
    metadata: { name: body.metadata.name, namespace: body.metadata.namespace, uid: body.metadata.uid },
  };
  return new Proxy(logger, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if ((key === 'info' || key === 'warn' || key === 'error') && typeof value === 'function') {
        return (...args: unknown[]) => {
          (value as (...a: unknown[]) => void).apply(target, args);
          if (RANK[key] < RANK[settings.posting.level]) return;
          const message = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : '')).filter(Boolean).join(' ');
          if (message) poster.enqueue({ object, type: TYPES[key], reason: 'Logging', message });
        };
      }
      return value;
    },
  });
}
