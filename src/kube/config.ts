/**
 * Connection info from a kubeconfig (explicit path, $KUBECONFIG with several files, ~/.kube/config) or the
 * in-cluster service account (KUBERNETES_SERVICE_HOST/PORT and the token, ca.crt and namespace files of
 * /var/run/secrets/kubernetes.io/serviceaccount, or of $KOPF_TS_SERVICE_ACCOUNT_DIR). Read by our own small
 * loader: certificates and keys (files or data), CAs, bearer tokens (also `tokenFile`), basic auth and
 * insecure-skip-tls-verify. Users with an `exec` plugin or an `auth-provider` (OIDC, cloud providers) are
 * authenticated by @kubernetes/client-node, imported only then: the library costs about 90 MiB of RSS per
 * thread, which most operators do not need. Called by the engine at start. client.ts asks for auth before
 * every request: token files (and the pod's service-account token) are re-read then, so rotated tokens are
 * picked up; TLS material is read once, as the connection pool is made once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** Where to connect and how to authenticate. */
export interface Connection {
  server: string;
  ca?: string | Buffer | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  insecure: boolean;
  /** The cluster's `proxy-url` (http, https or socks5): every request goes through it. */
  proxyUrl?: string | undefined;
  /** The cluster's `tls-server-name`: the name the server's certificate is checked against (and sent as SNI). */
  tlsServerName?: string | undefined;
  /** The context's default namespace (for Events of cluster-scoped objects). */
  defaultNamespace: string;
  /** Fresh auth headers (Authorization, …) and TLS material; called per (re)connect. */
  authenticate(): Promise<Auth>;
  /** Credentials that can be replaced (login handlers, see vault.ts): told when one is dropped, to close its connections. */
  onRetired?(listener: (identity: object) => void): void;
}

/** What one (re)connect needs. */
export interface Auth {
  headers: Record<string, string>;
  ca?: string | Buffer | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  /** Credentials from a vault (vault.ts): their own server and TLS flag, overriding the connection's. */
  server?: string | undefined;
  insecure?: boolean | undefined;
  /** The credentials these came from: connections are pooled per identity (new TLS material, new pool). */
  identity?: object | undefined;
  /** The server answered 401 to these: drop them, re-login if none are left; rejects when none can be had. */
  invalidate?: ((error: Error) => Promise<void>) | undefined;
}

/** Options of {@link loadConnection}. */
export interface LoadOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/** The pod's service-account files (token, ca.crt, namespace); KOPF_TS_SERVICE_ACCOUNT_DIR moves them (tests). */
function serviceAccountDir(): string {
  return process.env.KOPF_TS_SERVICE_ACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
}

type Named<T> = { name: string } & Record<string, T>;
interface KubeconfigFile {
  path: string;
  doc: {
    'current-context'?: string;
    clusters?: Named<Record<string, unknown>>[];
    contexts?: Named<Record<string, unknown>>[];
    users?: Named<Record<string, unknown>>[];
  };
}

/** Loads the connection; throws a clear error when no configuration is found. */
export function loadConnection(options: LoadOptions = {}): Connection {
  const paths = options.kubeconfig
    ? [options.kubeconfig]
    : (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean).length > 0
      ? (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
      : [join(homedir(), '.kube', 'config')].filter((p) => existsSync(p));
  if (paths.length === 0) {
    if (process.env.KUBERNETES_SERVICE_HOST && existsSync(join(serviceAccountDir(), 'token'))) return inCluster(serviceAccountDir());
    throw new Error(
      'No Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, run in a cluster, ' +
        'or start the local control plane with `npx kopf-ts cluster up`.',
    );
  }
  const files: KubeconfigFile[] = paths.filter((p) => options.kubeconfig || existsSync(p)).map((path) => ({ path, doc: readKubeconfig(path) }));
  const contextName = options.context ?? files.map((f) => f.doc['current-context']).find(Boolean);
  if (!contextName) throw new Error(`No current context in ${paths.join(', ')}: set one with \`kubectl config use-context\`.`);
  const context = find(files, 'contexts', contextName, 'context');
  const clusterName = String(context.entry.cluster ?? '');
  const userName = String(context.entry.user ?? '');
  const cluster = find(files, 'clusters', clusterName, 'cluster');
  const user = userName ? find(files, 'users', userName, 'user') : { entry: {}, base: cluster.base };
  const server = String(cluster.entry.server ?? '');
  if (!server) throw new Error(`The cluster ${clusterName} of the context ${contextName} has no server.`);
  const ca = material(cluster.entry, 'certificate-authority', cluster.base);
  const insecure = cluster.entry['insecure-skip-tls-verify'] === true;
  const u = user.entry;
  // TLS material is used when the connection pool is made, once: read it once.
  const cert = material(u, 'client-certificate', user.base);
  const key = material(u, 'client-key', user.base);
  const authenticate =
    u.exec || u['auth-provider']
      ? viaClientNode(paths, contextName)
      : async (): Promise<Auth> => {
          const headers: Record<string, string> = {};
          const token = typeof u.token === 'string' ? u.token : typeof u.tokenFile === 'string' ? readFileSync(resolvePath(u.tokenFile, user.base), 'utf8').trim() : null;
          if (token) headers.authorization = `Bearer ${token}`;
          else if (typeof u.username === 'string') headers.authorization = `Basic ${Buffer.from(`${u.username}:${String(u.password ?? '')}`).toString('base64')}`;
          return { headers, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
        };
  return {
    server: server.replace(/\/+$/, ''),
    insecure,
    ...clusterNetworking(cluster.entry, clusterName),
    defaultNamespace: typeof context.entry.namespace === 'string' ? context.entry.namespace : 'default',
    authenticate,
  };
}

/** A cluster's `proxy-url` and `tls-server-name`, checked: a bad value is named, never a crash later. */
function clusterNetworking(entry: Record<string, unknown>, clusterName: string): Pick<Connection, 'proxyUrl' | 'tlsServerName'> {
  const result: Pick<Connection, 'proxyUrl' | 'tlsServerName'> = {};
  const proxy = entry['proxy-url'];
  if (proxy !== undefined && proxy !== null && proxy !== '') {
    const url = URL.canParse(String(proxy)) ? new URL(String(proxy)) : null;
    if (typeof proxy !== 'string' || !url || !['http:', 'https:', 'socks5:'].includes(url.protocol)) {
      throw new Error(`The cluster ${clusterName} has a proxy-url that is not an http://, https:// or socks5:// URL: ${JSON.stringify(proxy)}.`);
    }
    result.proxyUrl = proxy;
  }
  const name = entry['tls-server-name'];
  if (name !== undefined && name !== null && name !== '') {
    if (typeof name !== 'string') throw new Error(`The cluster ${clusterName} has a tls-server-name that is not a string: ${JSON.stringify(name)}.`);
    result.tlsServerName = name;
  }
  return result;
}

function readKubeconfig(path: string): KubeconfigFile['doc'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the kubeconfig ${path}: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parse(text) as unknown;
  } catch (err) {
    throw new Error(`The kubeconfig ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`The kubeconfig ${path} is not a YAML mapping.`);
  return doc as KubeconfigFile['doc'];
}

/** The first entry of that name across the files (kubectl's merge rule); relative paths resolve from its file. */
function find(files: KubeconfigFile[], list: 'clusters' | 'contexts' | 'users', name: string, field: string): { entry: Record<string, unknown>; base: string } {
  for (const file of files) {
    const found = file.doc[list]?.find((item) => item.name === name);
    if (found) return { entry: (found[field] as Record<string, unknown> | undefined) ?? {}, base: dirname(file.path) };
  }
  throw new Error(`The kubeconfig has no ${list.slice(0, -1)} named ${JSON.stringify(name)}.`);
}

function resolvePath(path: string, base: string): string {
  return isAbsolute(path) ? path : join(base, path);
}

/** A PEM from `<name>-data` (base64) or from the file `<name>`. */
function material(entry: Record<string, unknown>, name: string, base: string): Buffer | undefined {
  const data = entry[`${name}-data`];
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  const file = entry[name];
  if (typeof file === 'string' && file) return readFileSync(resolvePath(file, base));
  return undefined;
}

/** The pod's service account: the token is re-read on every connect (it is rotated). */
function inCluster(dir: string): Connection {
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  const namespaceFile = join(dir, 'namespace');
  const ca = readFileSync(join(dir, 'ca.crt'));
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    insecure: false,
    defaultNamespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : 'default',
    authenticate: async () => ({
      headers: { authorization: `Bearer ${readFileSync(join(dir, 'token'), 'utf8').trim()}` },
      ca,
    }),
  };
}

/** Exec plugins and auth providers: @kubernetes/client-node does them (imported on first use). */
function viaClientNode(paths: string[], contextName: string): () => Promise<Auth> {
  let loaded: Promise<{ applyToHTTPSOptions(opts: import('node:https').RequestOptions): Promise<void> }> | null = null;
  return async () => {
    loaded ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      if (paths.length === 1) kc.loadFromFile(paths[0]!);
      else kc.loadFromDefault();
      kc.setCurrentContext(contextName);
      return kc;
    });
    const kc = await loaded;
    const opts: import('node:https').RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    return {
      headers,
      ...(opts.ca ? { ca: opts.ca as string | Buffer } : {}),
      ...(opts.cert ? { cert: opts.cert as string | Buffer } : {}),
      ...(opts.key ? { key: opts.key as string | Buffer } : {}),
    };
  };
}
