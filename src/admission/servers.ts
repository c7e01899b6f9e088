/**
 * Kopf's VM-aware webhook servers: `WebhookK3dServer`, `WebhookMinikubeServer`, `WebhookDockerDesktopServer`
 * (a WebhookServer that advertises the name under which the cluster's VM or containers reach the host) and
 * `WebhookAutoServer`, which looks at the API server (its `/version` and its TLS certificate) to pick one of
 * them, else the plain server (here, with an API server on loopback, the plain one). Users construct them in a
 * startup handler; detection runs when the operator starts serving (admission.ts).
 */
import { connect, type PeerCertificate } from 'node:tls';
import type { WebhookClientConfig, WebhookFn } from '../model/reviews.ts';
import { WebhookServer, type ServeContext } from './server.ts';

/** A WebhookServer for k3d/k3s: advertises `host.k3d.internal`. */
export class WebhookK3dServer extends WebhookServer {
  static override DEFAULT_HOST: string | null = 'host.k3d.internal';
}

/** A WebhookServer for minikube: advertises `host.minikube.internal`. */
export class WebhookMinikubeServer extends WebhookServer {
  static override DEFAULT_HOST: string | null = 'host.minikube.internal';
}

/** A WebhookServer for Docker Desktop's Kubernetes: advertises `host.docker.internal`. */
export class WebhookDockerDesktopServer extends WebhookServer {
  static override DEFAULT_HOST: string | null = 'host.docker.internal';
}

/** Which local cluster an API server belongs to, by its version and certificate; null: none recognised. */
export type LocalCluster = 'k3d' | 'minikube' | 'docker-desktop' | null;

/** The API server's certificate (not verified: only looked at). Null when it cannot be had. */
async function apiServerCertificate(apiServer: string, timeoutMs = 5000): Promise<PeerCertificate | null> {
  let url: URL;
  try {
    url = new URL(apiServer);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  return await new Promise((resolve) => {
    const socket = connect({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || 443),
      servername: url.hostname,
      rejectUnauthorized: false,
    });
    const done = (cert: PeerCertificate | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(cert);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once('secureConnect', () => done(socket.getPeerCertificate(false)));
    socket.once('error', () => done(null));
  });
}

/** Recognises k3s/k3d, minikube and Docker Desktop as Kopf does: by the certificate's names, then `+k3s` in the version. */
export async function detectLocalCluster(context: ServeContext): Promise<LocalCluster> {
  const cert = context.apiServer ? await apiServerCertificate(context.apiServer) : null;
  if (cert) {
    const names = [
      String(cert.subject?.CN ?? ''),
      String(cert.subject?.O ?? ''),
      String(cert.issuer?.CN ?? ''),
      String(cert.issuer?.O ?? ''),
      cert.subjectaltname ?? '',
    ].join(' ');
    if (/k3s/i.test(names)) return 'k3d';
    if (/minikube/i.test(names)) return 'minikube';
    if (/docker-desktop|docker-for-desktop|kubernetes\.docker\.internal/i.test(names))
      return 'docker-desktop';
  }
  try {
    const version = await context.version?.();
    if (version?.gitVersion?.includes('+k3s')) return 'k3d';
  } catch {
    // the version is a hint only
  }
  return null;
}

/** The server for a detected cluster, with the given options. */
export function serverFor(
  cluster: LocalCluster,
  options: ConstructorParameters<typeof WebhookServer>[0],
): WebhookServer {
  if (cluster === 'k3d') return new WebhookK3dServer(options);
  if (cluster === 'minikube') return new WebhookMinikubeServer(options);
  if (cluster === 'docker-desktop') return new WebhookDockerDesktopServer(options);
  return new WebhookServer(options);
}

/**
 * Kopf's `WebhookAutoServer`: a k3d, minikube or Docker Desktop server when the API server is one of those,
 * else the plain WebhookServer (reachable when the API server runs on this machine, as in tests and demos).
 */
export class WebhookAutoServer extends WebhookServer {
  /** The server actually chosen (set when serving starts). */
  chosen: WebhookServer | null = null;

  override async *serve(
    fn: WebhookFn,
    signal: AbortSignal,
    context: ServeContext = {},
  ): AsyncGenerator<WebhookClientConfig> {
    const cluster = await detectLocalCluster(context);
    this.chosen = serverFor(cluster, this.options);
    context.log?.(
      'info',
      `The webhook server is ${this.chosen.constructor.name} (detected cluster: ${cluster ?? 'none recognised'}).`,
    );
    yield* this.chosen.serve(fn, signal, context);
  }
}
