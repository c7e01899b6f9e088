/**
 * The life of ONE held Lease (coordination.k8s.io/v1) of a replica — a shard of the objects, or the single
 * lease of `--shards 1` (leader election) — as an XState statechart: acquiring it (trying, then waiting a
 * retry period while another replica holds it), holding it (renewing it every retry period), losing it when no
 * renewal succeeded within the renew deadline (before the lease could expire for the others: renew deadline <
 * lease duration, as client-go's leader election), and releasing it when asked (a voluntary hand-over, or the
 * exit). The engine (src/peering/sharding.ts) provides the `acquire`, `renew` and `release` actors (the API
 * calls) and follows the state: the shard's objects are handled only in `holding` and `renewing`. Imports
 * xstate only; time is the chart's own delays.
 */
import { assign, fromPromise, setup, type ActorRefFrom } from 'xstate';

/** Input of a lease actor. */
export interface LeaseInput {
  /** The Lease's name. */
  name: string;
  /** Seconds a lease is valid after its last renewal (the others wait that long before taking it). */
  leaseDuration: number;
  /** Seconds without a successful renewal after which the holder gives it up (< leaseDuration). */
  renewDeadline: number;
  /** Seconds between renewals, and between attempts to acquire. */
  retryPeriod: number;
}

/** Output of the `acquire` actor: whether the lease is ours now. */
export interface AcquireOutput {
  acquired: boolean;
}

/** The lease's context. */
export interface LeaseContext extends LeaseInput {
  /** How many renewals failed in a row (reset by a success). */
  failures: number;
}

/** Events a lease actor takes from the engine. */
export type LeaseEvent = { type: 'release' };

const notProvided = (name: string) =>
  fromPromise<never>(() =>
    Promise.reject(new Error(`leaseMachine: the actor ${name} must be provided by the engine`)),
  );

/** The lease statechart. */
export const leaseMachine = setup({
  types: {
    context: {} as LeaseContext,
    events: {} as LeaseEvent,
    input: {} as LeaseInput,
  },
  actors: {
    acquire: notProvided('acquire') as unknown as ReturnType<typeof fromPromise<AcquireOutput, LeaseInput>>,
    renew: notProvided('renew') as unknown as ReturnType<typeof fromPromise<void, LeaseInput>>,
    release: notProvided('release') as unknown as ReturnType<typeof fromPromise<void, LeaseInput>>,
  },
  delays: {
    retryPeriod: ({ context }) => context.retryPeriod * 1000,
    renewDeadline: ({ context }) => context.renewDeadline * 1000,
  },
  guards: {
    acquired: (_, output: AcquireOutput) => output.acquired,
  },
}).createMachine({
  id: 'lease',
  context: ({ input }) => ({ ...input, failures: 0 }),
  initial: 'acquiring',
  states: {
    acquiring: {
      initial: 'trying',
      on: { release: { target: 'released' } },
      states: {
        trying: {
          invoke: {
            src: 'acquire',
            input: ({ context }) => context,
            onDone: [
              { guard: { type: 'acquired', params: ({ event }) => event.output }, target: '#lease.held' },
              { target: 'waiting' },
            ],
            onError: { target: 'waiting' },
          },
        },
        /** Another replica holds it (or the API failed): try again after a retry period. */
        waiting: { after: { retryPeriod: { target: 'trying' } } },
      },
    },
    /** Ours: the shard's objects are handled. The renew deadline restarts with every successful renewal. */
    held: {
      initial: 'holding',
      after: { renewDeadline: { target: 'lost' } },
      on: { release: { target: 'releasing' } },
      states: {
        holding: { after: { retryPeriod: { target: 'renewing' } } },
        renewing: {
          invoke: {
            src: 'renew',
            input: ({ context }) => context,
            onDone: { target: '#lease.held', reenter: true, actions: assign({ failures: 0 }) },
            onError: {
              target: 'holding',
              actions: assign({ failures: ({ context }) => context.failures + 1 }),
            },
          },
        },
      },
    },
    /** No renewal succeeded within the renew deadline: the objects are no longer handled; try to get it back. */
    lost: {
      on: { release: { target: 'released' } },
      after: { retryPeriod: { target: 'acquiring' } },
    },
    /** Handing it over: the holder identity is cleared so that another replica may take it at once. */
    releasing: {
      invoke: {
        src: 'release',
        input: ({ context }) => context,
        onDone: { target: 'released' },
        onError: { target: 'released' },
      },
    },
    released: { type: 'final' },
  },
});

/** A running lease actor. */
export type LeaseActor = ActorRefFrom<typeof leaseMachine>;

/** Whether a lease in this state is held (its shard's objects may be handled). */
export function isHeld(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'held' in value;
}
