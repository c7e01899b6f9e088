/**
 * The operator's admission side (Kopf's `admission_webhook_server` and configuration managers in one): when
 * admission handlers exist, it requires `settings.admission.server`, resolves the handlers' resources, starts
 * the server with the operator's WebhookFn (review.ts), and, with `settings.admission.managed`, keeps the
 * validating and mutating configurations in step with each client config the server announces; on stop it
 * stops the server and leaves only the persistent webhooks. The server's life is an actor of
 * machines/webhook.ts, whose actors and actions are provided here. Called by src/engine/operator.ts.
 */
import type { WorkerPool } from '../execution/pool.ts';
import { resourceName, type Resource } from '../model/resource.ts';
import type { WebhookClientConfig, WebhookFn, WebhookServerProtocol } from '../model/reviews.ts';
import type { OperatorSettings } from '../model/settings.ts';
import type { WebhookReason } from '../handlers/handler.ts';
import type { Registry } from '../handlers/registry.ts';
import { selectResources } from '../handlers/selector.ts';
import type { KubeClient } from '../kube/client.ts';
import { discoverResources } from '../kube/discovery.ts';
import type { Logger } from '../observe/log.ts';
import { createActor, fromPromise, toPromise, type InspectionEvent, type Observer } from 'xstate';
import { webhookMachine, type ConfigureInput } from '../../machines/index.ts';
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
  /** The operator's worker pool, for plain handlers (null: they run inline). */
  pool: WorkerPool | null;
  indexes?: Readonly<Record<string, unknown>> | undefined;
  /** The served namespaces when they are plain names (the webhooks' namespaceSelector); null: cluster-wide or globs. */
  namespaces?: readonly string[] | null | undefined;
  /** The API server's URL (the auto servers look at its certificate). */
  apiServer?: string | undefined;
  /** An XState inspection observer for the webhook server's actor (the devtools'). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
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
      pool: options.pool,
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
  const configure = async (config: WebhookClientConfig, persistentOnly: boolean): Promise<void> => {
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

  // The server's life is the webhook statechart (machines/webhook.ts); its side effects are provided here.
  let stream: AsyncIterator<WebhookClientConfig> | null = null;
  let loop: Promise<void> = Promise.resolve();
  const machine = webhookMachine.provide({
    actors: {
      start: fromPromise<unknown, void>(async () => {
        if (managed) for (const reason of REASONS) await ensureConfiguration(client, reason, managed);
        stream = serveWith(server, fn, controller.signal, context)[Symbol.asyncIterator]();
        const first = await stream.next();
        if (first.done) throw new Error('The admission server stopped before it announced where it listens.');
        // Stopped while starting: the loop below resumes the server's stream, which sees the abort and closes.
        loop = followAnnouncements(stream, (config) => actor.send({ type: 'config', config })).catch(
          (err: unknown) => {
            if (!controller.signal.aborted)
              actor.send({ type: 'server.failed', error: (err as Error).message });
          },
        );
        return first.value;
      }),
      configure: fromPromise<void, ConfigureInput>(async ({ input }) =>
        configure(input.config as WebhookClientConfig, false),
      ),
      cleanup: fromPromise<void, ConfigureInput>(async ({ input }) => {
        await loop;
        await configure(input.config as WebhookClientConfig, true);
      }),
    },
    actions: {
      stopServer: () => {
        controller.abort();
        void stream?.return?.(undefined);
      },
      report: ({ event }, params) => {
        const error = (event as { error?: unknown }).error;
        logger.error(`${params.what} failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    },
  });
  const actor = createActor(machine, {
    input: { key: 'admission/webhook-server', managed: !!managed },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  const ended = toPromise(actor);
  actor.start();
  // Started when serving (the configurations written), or failed.
  await new Promise<void>((resolve, reject) => {
    const check = (): boolean => {
      const snapshot = actor.getSnapshot();
      if (snapshot.matches('serving')) resolve();
      else if (snapshot.status === 'done')
        reject(new Error(`The admission webhook server failed: ${snapshot.context.error ?? 'stopped'}`));
      else return false;
      return true;
    };
    if (check()) return;
    const subscription = actor.subscribe(() => {
      if (check()) subscription.unsubscribe();
    });
  });
  actor.subscribe((snapshot) => {
    if (snapshot.matches('failed') && snapshot.context.error)
      logger.error(`The admission webhook server failed: ${snapshot.context.error}`);
  });

  return {
    get clientConfig() {
      return (actor.getSnapshot().context.config as WebhookClientConfig | null) ?? null;
    },
    async stop() {
      actor.send({ type: 'stop' });
      await ended;
    },
  };
}

/** Sends each later client config the server announces, until its stream ends. */
async function followAnnouncements(
  stream: AsyncIterator<WebhookClientConfig>,
  send: (config: WebhookClientConfig) => void,
): Promise<void> {
  for (;;) {
    const next = await stream.next();
    if (next.done) return;
    send(next.value);
  }
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
