/**
 * `kopf.ConnectionInfo`: what a login handler (`kopf.on.login`) returns — Kopf's fields in camelCase
 * (server, CA, client certificate and key as paths or data, token with an optional scheme, basic auth,
 * insecure, default namespace, priority, expiration) — and {@link parseConnectionInfo}, which checks a
 * returned value (an instance, or a plain object: an instance returned by a plain handler on the worker
 * pool arrives as one) and names the handler and the field when something is wrong. Pure data, no I/O:
 * src/kube/credentials.ts reads the files and builds the TLS material. Used by the front door and the engine.
 */

/** The fields of a {@link ConnectionInfo} (Kopf's `ConnectionInfo`, in camelCase). */
export interface ConnectionInfoFields {
  /** The API server's URL, e.g. `https://10.0.0.1:6443`. Required. */
  server: string;
  /** A CA bundle file (PEM). Either this or `caData`. */
  caPath?: string | null | undefined;
  /** A CA bundle: PEM text, base64 of PEM (as in kubeconfigs), or bytes. */
  caData?: string | Uint8Array | null | undefined;
  /** Skip the verification of the server's certificate. */
  insecure?: boolean | null | undefined;
  /** Basic auth (with `password`). */
  username?: string | null | undefined;
  password?: string | null | undefined;
  /** The Authorization scheme (RFC 7235), e.g. `Bearer`; default `Bearer` when a token is given. */
  scheme?: string | null | undefined;
  token?: string | null | undefined;
  /** A client certificate file (PEM). Either this or `certificateData`. */
  certificatePath?: string | null | undefined;
  certificateData?: string | Uint8Array | null | undefined;
  /** The client certificate's private key file (PEM). Either this or `privateKeyData`. */
  privateKeyPath?: string | null | undefined;
  privateKeyData?: string | Uint8Array | null | undefined;
  /** The namespace of Events about cluster-scoped objects; default `default`. */
  defaultNamespace?: string | null | undefined;
  /** Of several credentials, only those of the highest priority are used (Kopf: user handlers 0). */
  priority?: number | null | undefined;
  /** When the credentials stop being valid: a Date, or an ISO 8601 string (without a zone: UTC, as Kopf). */
  expiration?: Date | string | null | undefined;
}

/** Credentials and connection flags for the API server, returned by a login handler (Kopf's `kopf.ConnectionInfo`). */
export class ConnectionInfo implements ConnectionInfoFields {
  server: string;
  declare caPath?: string | null | undefined;
  declare caData?: string | Uint8Array | null | undefined;
  declare insecure?: boolean | null | undefined;
  declare username?: string | null | undefined;
  declare password?: string | null | undefined;
  declare scheme?: string | null | undefined;
  declare token?: string | null | undefined;
  declare certificatePath?: string | null | undefined;
  declare certificateData?: string | Uint8Array | null | undefined;
  declare privateKeyPath?: string | null | undefined;
  declare privateKeyData?: string | Uint8Array | null | undefined;
  declare defaultNamespace?: string | null | undefined;
  declare priority?: number | null | undefined;
  declare expiration?: Date | string | null | undefined;

  // Only the given fields are set (`declare`d above), and no methods: an instance returned by a plain handler
  // on the worker pool crosses as plain data.
  constructor(fields: ConnectionInfoFields) {
    const checked = parseConnectionInfo(fields, 'kopf.ConnectionInfo');
    this.server = checked.server;
    Object.assign(this, fields, { server: checked.server });
  }
}

/** A checked connection info: the fields as given, the expiration in epoch milliseconds. */
export interface CheckedConnectionInfo extends Omit<ConnectionInfoFields, 'expiration' | 'priority'> {
  priority: number;
  /** Epoch milliseconds, or null: never expires. */
  expiration: number | null;
}

const STRINGS = [
  'caPath',
  'username',
  'password',
  'scheme',
  'token',
  'certificatePath',
  'privateKeyPath',
  'defaultNamespace',
] as const;
const DATA = ['caData', 'certificateData', 'privateKeyData'] as const;
const KNOWN = new Set<string>(['server', 'insecure', 'priority', 'expiration', ...STRINGS, ...DATA]);
const PAIRS = [
  ['caPath', 'caData'],
  ['certificatePath', 'certificateData'],
  ['privateKeyPath', 'privateKeyData'],
] as const;

/**
 * Checks what a login handler returned (`who` names it in errors). Throws a TypeError naming the field for
 * a value of the wrong type, an unknown field (Kopf's snake_case spellings get their camelCase), a path and
 * data both given, or an expiration that is not a time.
 */
export function parseConnectionInfo(value: unknown, who: string): CheckedConnectionInfo {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${who} must return a kopf.ConnectionInfo (or null for none); got ${describe(value)}.`,
    );
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (KNOWN.has(key) || v[key] === undefined) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    throw new TypeError(
      `${who}: unknown ConnectionInfo field '${key}'${KNOWN.has(camel) ? ` (use '${camel}')` : ''}.`,
    );
  }
  if (typeof v.server !== 'string' || !/^https?:\/\/./.test(v.server)) {
    throw new TypeError(`${who}: ConnectionInfo.server must be an http(s) URL; got ${describe(v.server)}.`);
  }
  for (const key of STRINGS) {
    if (v[key] != null && typeof v[key] !== 'string')
      throw new TypeError(`${who}: ConnectionInfo.${key} must be a string; got ${describe(v[key])}.`);
  }
  for (const key of DATA) {
    if (v[key] != null && typeof v[key] !== 'string' && !(v[key] instanceof Uint8Array)) {
      throw new TypeError(
        `${who}: ConnectionInfo.${key} must be PEM text, base64 of it, or bytes; got ${describe(v[key])}.`,
      );
    }
  }
  for (const [path, data] of PAIRS) {
    if (v[path] && v[data])
      throw new TypeError(`${who}: both ConnectionInfo.${path} and ${data} are set; give only one.`);
  }
  if (v.insecure != null && typeof v.insecure !== 'boolean')
    throw new TypeError(`${who}: ConnectionInfo.insecure must be a boolean; got ${describe(v.insecure)}.`);
  if (v.priority != null && (typeof v.priority !== 'number' || !Number.isFinite(v.priority))) {
    throw new TypeError(`${who}: ConnectionInfo.priority must be a number; got ${describe(v.priority)}.`);
  }
  const { expiration: _e, priority: _p, ...rest } = v;
  return {
    ...(rest as Omit<CheckedConnectionInfo, 'priority' | 'expiration'>),
    server: v.server,
    priority: (v.priority as number | null | undefined) ?? 0,
    expiration: expirationOf(v.expiration, who),
  };
}

/** A Date or an ISO 8601 string (a time without a zone is UTC, as Kopf's naive datetimes) → epoch ms. */
function expirationOf(value: unknown, who: string): number | null {
  if (value == null) return null;
  let ms = NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(/T[\d:.]+$/.test(value) ? `${value}Z` : value);
  if (Number.isNaN(ms))
    throw new TypeError(
      `${who}: ConnectionInfo.expiration must be a Date or an ISO 8601 time; got ${describe(value)}.`,
    );
  return ms;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
