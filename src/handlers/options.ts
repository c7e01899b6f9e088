/**
 * Strict registration options: the one table of which options each registration (`kopf.on.*`, `kopf.daemon`,
 * `kopf.timer`, sub-handlers) accepts, and the check that turns an unknown option, a Kopf snake_case spelling
 * or a bad value into a registration error naming the option, the handler and the valid options. Called by
 * src/on.ts and the front door's `kopf.subhandler()`; the option types in src/on.ts are checked against the
 * table (the type check fails when they drift). No I/O.
 */

/** Options every retried handler takes. */
const BEHAVIOUR = ['id', 'param', 'errors', 'timeout', 'retries', 'backoff', 'offload', 'registry'] as const;
/** Filters of resource handlers. */
const FILTERS = ['labels', 'annotations', 'when', 'field', 'value'] as const;

/** Options of admission handlers (Kopf's: no errors/timeout/retries/backoff, always permanent). */
const WEBHOOK = [
  'id',
  'param',
  'offload',
  'registry',
  ...FILTERS,
  'operation',
  'operations',
  'subresource',
  'persistent',
  'sideEffects',
  'ignoreFailures',
] as const;

/** The options of each registration, by its name. The TypeScript option types must have exactly these keys. */
export const OPTION_NAMES = {
  resume: [...BEHAVIOUR, ...FILTERS, 'deleted'],
  create: [...BEHAVIOUR, ...FILTERS],
  update: [...BEHAVIOUR, ...FILTERS, 'old', 'new'],
  delete: [...BEHAVIOUR, ...FILTERS, 'optional'],
  field: [...BEHAVIOUR, ...FILTERS, 'old', 'new'],
  event: ['id', 'param', 'offload', 'registry', ...FILTERS],
  daemon: [
    ...BEHAVIOUR,
    ...FILTERS,
    'initialDelay',
    'cancellationBackoff',
    'cancellationTimeout',
    'cancellationPolling',
  ],
  timer: [...BEHAVIOUR, ...FILTERS, 'initialDelay', 'interval', 'idle', 'sharp'],
  startup: [...BEHAVIOUR],
  cleanup: [...BEHAVIOUR],
  login: [...BEHAVIOUR],
  probe: [...BEHAVIOUR],
  index: [...BEHAVIOUR, ...FILTERS],
  subhandler: ['id', 'param', 'errors', 'timeout', 'retries', 'backoff'],
  validate: WEBHOOK,
  mutate: WEBHOOK,
} as const;

/** A registration with options. */
export type Registration = keyof typeof OPTION_NAMES;
/** The option names of one registration. */
export type OptionName<R extends Registration> = (typeof OPTION_NAMES)[R][number];

/** The errors modes, as Kopf's `kopf.ErrorsMode` values. */
const ERRORS_MODES = ['temporary', 'permanent', 'ignored'];
/** Options that are seconds (or counts) and cannot be negative; `null` means "none". */
const NON_NEGATIVE = [
  'timeout',
  'retries',
  'backoff',
  'idle',
  'cancellationBackoff',
  'cancellationTimeout',
  'cancellationPolling',
];

/** How a registration is called in messages. */
function callName(registration: Registration): string {
  if (registration === 'daemon' || registration === 'timer' || registration === 'subhandler')
    return `kopf.${registration}()`;
  return `kopf.on.${registration}()`;
}

/** `initial_delay` → `initialDelay`. */
function camelCase(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws a TypeError for an option `registration` does not take (naming it, the handler and the valid options;
 * for Kopf's snake_case spelling, the camelCase one), and for a value that cannot work: an errors mode other
 * than `kopf.ErrorsMode`'s, a negative or non-numeric number of seconds, a non-positive timer interval.
 */
export function checkOptions(registration: Registration, options: unknown, handler: string): void {
  const where = `${callName(registration)} of the handler ${JSON.stringify(handler || '(anonymous)')}`;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `${where}: the options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`,
    );
  }
  const valid: readonly string[] = OPTION_NAMES[registration];
  for (const name of Object.keys(options)) {
    if (valid.includes(name)) continue;
    const camel = camelCase(name);
    const hint =
      camel !== name && valid.includes(camel)
        ? ` It is Kopf's spelling: kopf-ts spells the options in camelCase, use '${camel}'.`
        : camel !== name
          ? ` (kopf-ts spells options in camelCase; '${camel}' is not an option here either.)`
          : '';
    throw new TypeError(`${where}: unknown option '${name}'.${hint} Valid options: ${valid.join(', ')}.`);
  }
  const values = options as Record<string, unknown>;
  const errors = values['errors'];
  if (errors !== undefined && errors !== null && !ERRORS_MODES.includes(errors as string)) {
    const lower = typeof errors === 'string' ? errors.toLowerCase() : '';
    const hint = ERRORS_MODES.includes(lower)
      ? ` Use '${lower}' (kopf.ErrorsMode.${lower.toUpperCase()}).`
      : '';
    throw new TypeError(
      `${where}: errors must be one of ${ERRORS_MODES.map((m) => `'${m}'`).join(', ')} (kopf.ErrorsMode.*), got ${describe(errors)}.${hint}`,
    );
  }
  for (const name of NON_NEGATIVE) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(
        `${where}: ${name} must be a non-negative number${name === 'retries' ? '' : ' of seconds'} (or null), got ${describe(value)}.`,
      );
    }
  }
  const initialDelay = values['initialDelay'];
  if (
    initialDelay !== undefined &&
    initialDelay !== null &&
    typeof initialDelay !== 'function' &&
    (typeof initialDelay !== 'number' || !Number.isFinite(initialDelay) || initialDelay < 0)
  ) {
    throw new TypeError(
      `${where}: initialDelay must be a non-negative number of seconds or a function returning one, got ${describe(initialDelay)}.`,
    );
  }
  const interval = values['interval'];
  if (
    interval !== undefined &&
    interval !== null &&
    (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0)
  ) {
    throw new TypeError(
      `${where}: interval must be a positive number of seconds (or null), got ${describe(interval)}.`,
    );
  }
  const registry = values['registry'];
  if (registry !== undefined && typeof (registry as { add?: unknown } | null)?.add !== 'function')
    throw new TypeError(`${where}: registry must be a kopf.Registry, got ${describe(registry)}.`);
  checkOperations(where, values['operation'], values['operations']);
  const subresource = values['subresource'];
  if (subresource !== undefined && subresource !== null && (typeof subresource !== 'string' || subresource === ''))
    throw new TypeError(`${where}: subresource must be a non-empty string ('*' for any) or null, got ${describe(subresource)}.`);
  const id = values['id'];
  if (id !== undefined && typeof id !== 'string')
    throw new TypeError(`${where}: id must be a string, got ${describe(id)}.`);
  for (const name of ['offload', 'sharp', 'deleted', 'optional', 'persistent', 'sideEffects', 'ignoreFailures']) {
    const value = values[name];
    if (value !== undefined && typeof value !== 'boolean')
      throw new TypeError(`${where}: ${name} must be true or false, got ${describe(value)}.`);
  }
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** `operation` (one, or a list, as Kopf's deprecated spelling) and `operations` (a non-empty list). */
function checkOperations(where: string, operation: unknown, operations: unknown): void {
  if (operation !== undefined && operations !== undefined)
    throw new TypeError(`${where}: give either operation or operations, not both.`);
  const given = operations ?? operation;
  if (given === undefined || given === null) return;
  const list = Array.isArray(given) ? given : [given];
  if (list.length === 0)
    throw new TypeError(`${where}: operations cannot be empty (omit it for all of ${OPERATIONS.join(', ')}).`);
  for (const op of list) {
    if (!OPERATIONS.includes(op as string))
      throw new TypeError(`${where}: an operation must be one of ${OPERATIONS.join(', ')}, got ${describe(op)}.`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
