/**
 * Login, as Kopf's authentication activity: the `kopf.on.login` handlers run after the startup handlers and
 * before anything talks to the cluster, all of them, each retried by its options (`errors`, `retries`,
 * `timeout`, `backoff`) until it succeeded; what they return (`kopf.ConnectionInfo`, or null for nothing)
 * fills the credentials vault (src/kube/vault.ts). With no login handler, the default login is Kopf's
 * `login_via_client`: the kubeconfig or the in-cluster service account (src/kube/config.ts). They run again
 * whenever the vault runs out (a 401, an expiration). A plain login handler runs on the worker pool like any
 * plain handler. Called by src/engine/operator.ts.
 */
import { parseConnectionInfo } from '../model/connection-info.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { ActivityHandler } from '../handlers/handler.ts';
import type { Registry } from '../handlers/registry.ts';
import { loadConnection } from '../kube/config.ts';
import { credentialFromConnection, credentialFromInfo, type Credential } from '../kube/credentials.ts';
import { LoginError, Vault, type LoginReason } from '../kube/vault.ts';
import { invokeHandler } from '../execution/invoke.ts';
import type { WorkerPool } from '../execution/pool.ts';
import { activityKwargs } from './activities.ts';
import type { Logger } from '../observe/log.ts';

/** What logging in needs. */
export interface LoginContext {
  settings: OperatorSettings;
  logger: Logger;
  memo: object;
  signal: AbortSignal;
  /** The operator's pool (plain login handlers run there). */
  pool: WorkerPool;
  /** For the default login: a kubeconfig file instead of $KUBECONFIG, ~/.kube/config or in-cluster. */
  kubeconfig?: string | undefined;
}

const TITLES: Record<LoginReason, string> = {
  initial: 'Initial authentication',
  expired: 'Re-authentication',
  unauthorized: 'Re-authentication',
};

/** The operator's vault: filled by the login handlers (or the default login) now and whenever it runs out. */
export function createVault(
  registry: Registry,
  ctx: LoginContext,
  onFailed: (error: LoginError) => void,
): Vault {
  return new Vault({
    onFailed,
    login: async (reason) => {
      const title = TITLES[reason];
      ctx.logger.info(
        `${title} has been initiated${reason === 'initial' ? '' : reason === 'expired' ? ' (the credentials expired)' : ' (the API server answered 401)'}.`,
      );
      const handlers = registry.activityHandlers('login');
      const credentials = handlers.length ? await runLoginHandlers(handlers, ctx) : await defaultLogin(ctx);
      if (credentials.size) ctx.logger.info(`${title} has finished.`);
      else ctx.logger.warn(`${title} has failed: no credentials were retrieved from the login handlers.`);
      return credentials;
    },
  });
}

/** Kopf's fallback when no login handler is declared: the kubeconfig or the in-cluster service account. */
async function defaultLogin(ctx: LoginContext): Promise<Map<string, Credential>> {
  const connection = loadConnection({ kubeconfig: ctx.kubeconfig });
  return new Map([['login_via_client', await credentialFromConnection(connection)]]);
}

/** Runs every login handler until each has finished; their credentials by id. Throws when one fails for good. */
async function runLoginHandlers(
  handlers: ActivityHandler[],
  ctx: LoginContext,
): Promise<Map<string, Credential>> {
  const credentials = new Map<string, Credential>();
  const pending = new Map(handlers.map((h) => [h.id, { handler: h, retries: 0, started: Date.now() }]));
  while (pending.size > 0) {
    if (ctx.signal.aborted) throw new LoginError('Login was cancelled: the operator is stopping.');
    let delay = Infinity;
    for (const [id, state] of pending) {
      const now = Date.now();
      const runtime = (now - state.started) / 1000;
      const { outcome, lines } = await invokeHandler({
        handler: state.handler,
        kwargs: activityKwargs('login', state.handler, ctx, state.retries, state.started, now),
        retries: state.retries,
        runtime,
        defaultBackoff: ctx.settings.execution.defaultBackoff,
        pool: ctx.pool,
      });
      for (const line of lines) ctx.logger[line.level](line.message);
      state.retries++;
      if (!outcome.final) {
        delay = Math.min(delay, outcome.delay ?? 0);
        continue;
      }
      pending.delete(id);
      if (outcome.exception)
        throw new LoginError(`The login handler '${id}' failed: ${outcome.exception.message}`, {
          cause: outcome.exception,
        });
      if (outcome.result == null) continue;
      const who = `The login handler '${id}'`;
      credentials.set(id, credentialFromInfo(parseConnectionInfo(outcome.result, who), who));
    }
    if (pending.size > 0) await sleep(delay, ctx.signal);
  }
  return credentials;
}

function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, seconds) * 1000);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
