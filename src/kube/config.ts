/**
 * Connection info from a kubeconfig (explicit path, $KUBECONFIG, ~/.kube/config) or the in-cluster service
 * account, via @kubernetes/client-node's KubeConfig (exec plugins, OIDC, token files, rotation). Refuses the
 * library's silent fallback to http://localhost:8080. Called by the engine at start; client.ts asks for
 * fresh auth headers on every (re)connect so rotated tokens are picked up.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';

/** Where to connect and how to authenticate. */
export interface Connection {
  server: string;
  ca?: string | Buffer | undefined;
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  insecure: boolean;
  /** The context's default namespace (for Events of cluster-scoped objects). */
  defaultNamespace: string;
  /** Fresh auth headers (Authorization, …) and TLS material; called per (re)connect. */
  authenticate(): Promise<{ headers: Record<string, string>; ca?: string | Buffer | undefined; cert?: string | Buffer | undefined; key?: string | Buffer | undefined }>;
}

/** Options of {@link loadConnection}. */
export interface LoadOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/** Loads the connection; throws a clear error when no configuration is found. */
export function loadConnection(options: LoadOptions = {}): Connection {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster || (cluster.name === 'cluster' && cluster.server === 'http://localhost:8080')) {
    throw new Error(
      'No Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config, run in a cluster, ' +
        'or start the local control plane with `npx kopf-ts cluster up`.',
    );
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  const authenticate = async (): Promise<{ headers: Record<string, string>; ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer }> => {
    const opts: RequestOptions = { headers: {} };
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
  return {
    server: cluster.server.replace(/\/+$/, ''),
    insecure: cluster.skipTLSVerify === true,
    defaultNamespace: context?.namespace ?? 'default',
    authenticate,
  };
}
