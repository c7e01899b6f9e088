/**
 * The operator's admission side (Kopf's `admission_webhook_server` and configuration managers in one): when
 * admission handlers exist, it requires `settings.admission.server`, resolves the handlers' resources, starts
 * the server with the operator's WebhookFn (review.ts), and, with `settings.admission.managed`, keeps the
 * validating and mutating configurations in step with each client config the server announces; on stop it
 * stops the server and leaves only the persistent webhooks. Called by src/engine/operator.ts.
 */
import { resourceName, type Resource } from '../model/resource.ts';
import type { WebhookClientConfig, WebhookFn, WebhookServerProtocol } from '../model/reviews.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { WebhookReason } from '../handlers/handler.ts';
import type { Registry } from '../handlers/registry.ts';
import { selectResources } from '../handlers/selector.ts';
import type { KubeClient } from '../kube/client.ts';
import { discoverResources } from '../kube/discovery.ts';
import type { Logger } from '../observe/log.ts';
import { buildWebhooks, ensureConfiguration, patchWebhooks } from './managed.ts';
import { serveAdmissionRequest, type ReviewSummary } from './review.ts';
import type { ServeContext } from './server.ts';

/** What {@link startAdmission} needs. */
export interface AdmissionOptions {
  registry: Registry;
  settings: OperatorSettings;
  client: KubeClient;
  logger: Logger;
  memo: object;
  moduleUrls: readonly string[];
  indexes?: Readonly<Record<string, unknown>> | undefined;
  /** The served namespaces when they are plain names (the webhooks' namespaceSelector); null: cluster-wide or globs. */
  namespaces?: readonly string[] | null | undefined;
  /** The API server's URL (the auto servers look at its certificate). */
  apiServer?: string | undefined;
  /** Each request's summary, by the object's actor key (`<resource>/<uid>`; null for an object without a uid yet). */
  onReview?: ((key: string | null, summary: ReviewSummary) => void) | undefined;
}

/** A running admission side. */
export interface RunningAdmission {
  /** The client config the server announced last. */
  readonly clientConfig: WebhookClientConfig | null;
  /** Stops the server; with managed configurations, keeps only the persistent webhooks there. */
  stop(): Promise<void>;
}

const REASONS: readonly WebhookReason[] = ['validating', 'mutating'];

/** The server's stream of client configs, whichever form it has (an object with `serve`, or a function). */
function serveWith(
  server: WebhookServerProtocol,
  fn: WebhookFn,
  signal: AbortSignal,
  context: ServeContext,
): AsyncIterable<WebhookClientConfig> {
  return typeof server === 'function'
    ? server(fn, signal)
    : (server.serve as (f: WebhookFn, s: AbortSignal, c: ServeContext) => AsyncIterable<WebhookClientConfig>)(
        fn,
        signal,
        context,
      );
}

/**
 * Starts serving admission requests; resolves once the server announced its first client config and the
 * managed configurations (if any) were written. Resolves with null when there are no admission handlers;
 * rejects when there are but no server is configured, or the server or the configurations fail at start.
 */
export async function startAdmission(options: AdmissionOptions): Promise<RunningAdmission | null> {
  const { registry, settings, client, logger } = options;
  const handlers = registry.webhookHandlers();
  if (handlers.length === 0) return null;
  const server = settings.admission.server;
  if (!server) {
    throw new Error(
      'Admission handlers exist, but no admission server/tunnel is configured in `settings.admission.server`: ' +
        'set it in a startup handler, e.g. `settings.admission.server = new kopf.WebhookServer()` (docs/admission.md).',
    );
  }
  const timeoutSeconds = settings.admission.timeoutSeconds;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30)
    throw new Error(
      `settings.admission.timeoutSeconds must be 1–30 (the API server's limits), got ${timeoutSeconds}.`,
    );

  const resources = await webhookResources(registry, client, logger);
  const fn: WebhookFn = (review, info) =>
    serveAdmissionRequest(review, info, {
      registry,
      settings,
      logger,
      memo: options.memo,
      resources: () => resources,
      moduleUrls: options.moduleUrls,
      indexes: options.indexes,
      onReview: options.onReview,
    });
  const managed = settings.admission.managed;
  const controller = new AbortController();
  const context: ServeContext = {
    maxBodySize: settings.admission.maxBodySize,
    // Answer before the API server gives up on us, so the reason is ours, not a bare timeout.
    requestTimeout: Math.max(0.5, timeoutSeconds - 1),
    log: (level, message) => logger[level](message),
    ...(options.apiServer ? { apiServer: options.apiServer } : {}),
    version: () => client.request({ method: 'GET', path: '/version', verb: 'get', resource: 'version' }),
  };
  let clientConfig: WebhookClientConfig | null = null;
  const configure = async (config: WebhookClientConfig, persistentOnly = false): Promise<void> => {
    if (!managed) return;
    for (const reason of REASONS) {
      const mine = handlers.filter((h) => h.reason === reason);
      const webhooks = buildWebhooks(mine, resources, {
        managed,
        clientConfig: config,
        timeoutSeconds,
        persistentOnly,
        namespaces: options.namespaces ?? null,
      });
      logger.info(`${persistentOnly ? 'Cleaning up' : 'Reconfiguring'} the ${reason} webhook ${managed}.`);
      await patchWebhooks(client, reason, managed, webhooks);
    }
  };
  if (managed) for (const reason of REASONS) await ensureConfiguration(client, reason, managed);

  const stream = serveWith(server, fn, controller.signal, context)[Symbol.asyncIterator]();
  const first = await stream.next();
  if (first.done) throw new Error('The admission server stopped before it announced where it listens.');
  clientConfig = first.value;
  await configure(clientConfig);
  const loop = (async () => {
    for (;;) {
      const next = await stream.next();
      if (next.done) return;
      clientConfig = next.value;
      await configure(clientConfig).catch((err: unknown) =>
        logger.error(`Reconfiguring the webhooks failed: ${(err as Error).message}`),
      );
    }
  })().catch((err: unknown) => {
    if (!controller.signal.aborted) logger.error(`The admission server failed: ${(err as Error).message}`);
  });

  return {
    get clientConfig() {
      return clientConfig;
    },
    async stop() {
      controller.abort();
      await stream.return?.(undefined);
      await loop;
      if (clientConfig)
        await configure(clientConfig, true).catch((err: unknown) =>
          logger.error(`Cleaning up the webhooks failed: ${(err as Error).message}`),
        );
    },
  };
}

/** The resources of the admission handlers' selectors (they are not watched; unresolved ones are warned about). */
async function webhookResources(registry: Registry, client: KubeClient, logger: Logger): Promise<Resource[]> {
  const discovered = await discoverResources(client);
  const found = new Map<string, Resource>();
  const selectors = [...new Set(registry.webhookHandlers().map((h) => h.selector))];
  for (const selector of selectors) {
    const resolution = selectResources(selector, discovered);
    if (resolution.ambiguous.length)
      logger.warn(
        `Ambiguous resources will not be served by webhooks (try specifying API groups): ${selector.text} → ${resolution.ambiguous.map(resourceName).join(', ')}`,
      );
    else if (resolution.unresolved)
      logger.warn(
        `Unresolved resources cannot be served by webhooks (try creating their CRDs): ${selector.text}`,
      );
    for (const r of resolution.resources) found.set(resourceName(r), r);
  }
  return [...found.values()];
}
