/**
 * The life of the operator's admission webhook server (src/admission), as an XState statechart: starting the
 * server (until it announces where it listens), writing the managed webhook configurations for each client
 * config it announces, serving, and on stop closing the server and cleaning the configurations up (only the
 * persistent webhooks stay). The engine's admission runner (src/admission/admission.ts) provides the actors
 * and actions and sends the server's later announcements as `config` events. Pure: imports xstate only.
 */
import { assign, fromPromise, not, setup, type ActorRefFrom } from 'xstate';

/** Input of the webhook server's actor. */
export interface WebhookInput {
  /** The actor's key for observers (the devtools list it under it). */
  key: string;
  /** Whether configurations are managed (`settings.admission.managed`): else nothing is written or cleaned. */
  managed: boolean;
}

/** The webhook server's context. */
export interface WebhookContext extends WebhookInput {
  /** The client config announced last (opaque here: the engine's `WebhookClientConfig`). */
  config: unknown;
  /** The configurations were written once: later failures are reported, not fatal. */
  served: boolean;
  /** Why it failed (the start, or the first configuration), if it did. */
  error: string | null;
}

/** Events the webhook server accepts. */
export type WebhookEvent =
  /** The server announced a new client config (a new certificate or address). */
  | { type: 'config'; config: unknown }
  /** The operator stops. */
  | { type: 'stop' }
  /** The server stopped serving on its own (an error). */
  | { type: 'server.failed'; error: string };

/** Input of the `configure` and `cleanup` actors. */
export interface ConfigureInput {
  config: unknown;
}

const provided = (name: string) => () => {
  throw new Error(`webhookMachine: the action ${name} must be provided by the engine`);
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A stop closes the server; with configurations written, they are cleaned up before the end. */
const STOP = [
  { guard: 'cleanable', target: 'cleaning', actions: 'stopServer' },
  { target: 'stopped', actions: 'stopServer' },
] as const;

/** The webhook server statechart. */
export const webhookMachine = setup({
  types: {
    context: {} as WebhookContext,
    events: {} as WebhookEvent,
    input: {} as WebhookInput,
    output: {} as { error: string | null },
  },
  actors: {
    /** Starts the server; resolves with its first client config. */
    start: fromPromise<unknown, void>(async () => {
      throw new Error('webhookMachine: the start actor must be provided by the engine');
    }),
    /** Writes the managed configurations for a client config. */
    configure: fromPromise<void, ConfigureInput>(async () => {
      throw new Error('webhookMachine: the configure actor must be provided by the engine');
    }),
    /** Leaves only the persistent webhooks in the managed configurations. */
    cleanup: fromPromise<void, ConfigureInput>(async () => {
      throw new Error('webhookMachine: the cleanup actor must be provided by the engine');
    }),
  },
  actions: {
    /** Closes the server (aborts its serving). */
    stopServer: provided('stopServer') as () => void,
    /** Logs a failure that does not stop the server (a later reconfiguration, the cleanup). */
    report: provided('report') as (
      args: { context: WebhookContext; event: unknown },
      params: { what: string },
    ) => void,
    recordConfig: assign({
      config: ({ context, event }) => (event.type === 'config' ? event.config : context.config),
    }),
  },
  guards: {
    managed: ({ context }) => context.managed,
    cleanable: ({ context }) => context.managed && context.config !== null,
    served: ({ context }) => context.served,
  },
}).createMachine({
  id: 'webhook',
  context: ({ input }) => ({ ...input, config: null, served: false, error: null }),
  initial: 'starting',
  states: {
    /** The server starts: certificates, listening; done when it announces its first client config. */
    starting: {
      on: { stop: STOP },
      invoke: {
        src: 'start',
        onDone: { target: 'configuring', actions: assign({ config: ({ event }) => event.output }) },
        onError: {
          target: 'failed',
          actions: [assign({ error: ({ event }) => message(event.error) }), 'stopServer'],
        },
      },
    },
    /** The managed configurations are written for the announced client config (skipped when not managed). */
    configuring: {
      on: { stop: STOP },
      always: { guard: not('managed'), target: 'serving' },
      invoke: {
        src: 'configure',
        input: ({ context }) => ({ config: context.config }),
        onDone: { target: 'serving' },
        onError: [
          {
            guard: 'served',
            target: 'serving',
            actions: { type: 'report', params: { what: 'Reconfiguring the webhooks' } },
          },
          {
            target: 'failed',
            actions: [assign({ error: ({ event }) => message(event.error) }), 'stopServer'],
          },
        ],
      },
    },
    /** Answering admission requests; a new client config is written to the configurations. */
    serving: {
      entry: assign({ served: true }),
      on: {
        stop: STOP,
        config: { target: 'configuring', actions: 'recordConfig' },
        'server.failed': { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
      },
    },
    /** Stopping: the server is closed; only the persistent webhooks are left in the configurations. */
    cleaning: {
      invoke: {
        src: 'cleanup',
        input: ({ context }) => ({ config: context.config }),
        onDone: { target: 'stopped' },
        onError: {
          target: 'stopped',
          actions: { type: 'report', params: { what: 'Cleaning up the webhooks' } },
        },
      },
    },
    /** The server could not start, its first configuration failed, or it stopped serving on its own. */
    failed: { type: 'final' },
    /** Stopped by the operator. */
    stopped: { type: 'final' },
  },
  output: ({ context }) => ({ error: context.error }),
});

/** A running webhook server actor. */
export type WebhookActor = ActorRefFrom<typeof webhookMachine>;
