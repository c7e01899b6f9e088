/**
 * One set of credentials in the vault (vault.ts): where to connect, how to authenticate, its priority and
 * expiration, and a fingerprint (equal credentials, equal fingerprints: a re-login that brings back
 * credentials the server refused does not bring them back into use). Made from what a login handler returned
 * (`kopf.ConnectionInfo`, checked by src/model/connection-info.ts: CA, certificate and key files are read here,
 * once, as the connection pool is made once) or from the kubeconfig/in-cluster connection of config.ts (the
 * default login). Called by src/engine/login.ts; `connectionInfoFromKubeconfig` by the front door (`kopf.loginViaClient`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CheckedConnectionInfo, ConnectionInfoFields } from '../model/connection-info.ts';
import { loadConnection, type Auth, type Connection } from './config.ts';

/** Credentials as the vault keeps them. */
export interface Credential {
  server: string;
  insecure: boolean;
  defaultNamespace: string;
  priority: number;
  /** Epoch milliseconds, or null: never expires. */
  expiration: number | null;
  fingerprint: string;
  /** Headers and TLS material for a request (the default login re-reads token files here). */
  authenticate(): Promise<Auth>;
}

/** The credentials of a login handler's ConnectionInfo; `who` names the handler in errors (unreadable files). */
export function credentialFromInfo(info: CheckedConnectionInfo, who: string): Credential {
  const ca = pem(info.caPath, info.caData, 'caPath', who);
  const cert = pem(info.certificatePath, info.certificateData, 'certificatePath', who);
  const key = pem(info.privateKeyPath, info.privateKeyData, 'privateKeyPath', who);
  const headers: Record<string, string> = {};
  if (info.scheme && info.token) headers.authorization = `${info.scheme} ${info.token}`;
  else if (info.scheme) headers.authorization = info.scheme;
  else if (info.token) headers.authorization = `Bearer ${info.token}`;
  else if (info.username && info.password)
    headers.authorization = `Basic ${Buffer.from(`${info.username}:${info.password}`).toString('base64')}`;
  const server = info.server.replace(/\/+$/, '');
  const insecure = info.insecure ?? false;
  const auth: Auth = { headers, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  return {
    server,
    insecure,
    defaultNamespace: info.defaultNamespace || 'default',
    priority: info.priority,
    expiration: info.expiration,
    fingerprint: fingerprintOf(server, insecure, auth),
    authenticate: async () => auth,
  };
}

/** The default login's credentials: the kubeconfig or in-cluster connection (Kopf gives them priority 10). */
export async function credentialFromConnection(connection: Connection, priority = 10): Promise<Credential> {
  const first = await connection.authenticate();
  return {
    server: connection.server,
    insecure: connection.insecure,
    defaultNamespace: connection.defaultNamespace,
    priority,
    expiration: null,
    fingerprint: fingerprintOf(connection.server, connection.insecure, first),
    authenticate: () => connection.authenticate(),
  };
}

/** A PEM from a file or from data (PEM text, base64 of PEM, or bytes). */
function pem(
  path: string | null | undefined,
  data: string | Uint8Array | null | undefined,
  field: string,
  who: string,
): Buffer | undefined {
  if (path) {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${who}: ConnectionInfo.${field} ${path} cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (data == null || data === '') return undefined;
  if (typeof data !== 'string') return Buffer.from(data);
  return Buffer.from(
    data.trimStart().startsWith('-----BEGIN ') ? data : Buffer.from(data, 'base64').toString('ascii'),
  );
}

function fingerprintOf(server: string, insecure: boolean, auth: Auth): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([server, insecure, Object.entries(auth.headers).sort()]));
  for (const part of [auth.ca, auth.cert, auth.key]) hash.update(part ? Buffer.from(part) : '-');
  return hash.digest('hex');
}

/** Options of {@link connectionInfoFromKubeconfig}. */
export interface KubeconfigLoginOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/**
 * Kopf's `login_via_client`: the kubeconfig's (or the pod's service account's) server, CA, client certificate,
 * token or basic auth, as ConnectionInfo fields. Tokens of exec plugins and auth providers are taken as they
 * are now: return an `expiration` if they expire, or leave login to the default (which refreshes them).
 */
export async function connectionInfoFromKubeconfig(
  options: KubeconfigLoginOptions = {},
): Promise<ConnectionInfoFields> {
  const connection = loadConnection(options);
  const auth = await connection.authenticate();
  const header = Object.entries(auth.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const fields: ConnectionInfoFields = {
    server: connection.server,
    insecure: connection.insecure,
    defaultNamespace: connection.defaultNamespace,
    priority: 10,
  };
  if (auth.ca) fields.caData = Buffer.from(auth.ca);
  if (auth.cert) fields.certificateData = Buffer.from(auth.cert);
  if (auth.key) fields.privateKeyData = Buffer.from(auth.key);
  const [scheme, ...rest] = (header ?? '').split(' ');
  if (scheme === 'Bearer' && rest.length) fields.token = rest.join(' ');
  else if (scheme === 'Basic' && rest.length) {
    const decoded = Buffer.from(rest.join(' '), 'base64').toString();
    fields.username = decoded.slice(0, decoded.indexOf(':'));
    fields.password = decoded.slice(decoded.indexOf(':') + 1);
  } else if (header) fields.scheme = header;
  return fields;
}
