// Unit tests of machines/webhook.ts with stand-in actors: the server starts, the managed configurations are
// written for each announced client config, a stop closes the server and cleans up; what fails at start is
// fatal, a later failure is reported and serving goes on; unmanaged servers write nothing. No cluster.
import test from 'ava';
import { createActor, fromPromise } from 'xstate';
import { webhookMachine, type ConfigureInput } from '../../machines/webhook.ts';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

function server(
  options: {
    managed?: boolean;
    start?: () => Promise<unknown>;
    configure?: (config: unknown) => Promise<void>;
  } = {},
) {
  const effects: string[] = [];
  const machine = webhookMachine.provide({
    actors: {
      start: fromPromise<unknown, void>(async () => {
        effects.push('start');
        return await (options.start ?? (async () => 'config-1'))();
      }),
      configure: fromPromise<void, ConfigureInput>(async ({ input }) => {
        effects.push(`configure:${String(input.config)}`);
        await options.configure?.(input.config);
      }),
      cleanup: fromPromise<void, ConfigureInput>(async ({ input }) => {
        effects.push(`cleanup:${String(input.config)}`);
      }),
    },
    actions: {
      stopServer: () => effects.push('stopServer'),
      report: (_, params) => effects.push(`report:${params.what}`),
    },
  });
  const actor = createActor(machine, {
    input: { key: 'admission/webhook-server', managed: options.managed ?? true },
  });
  actor.start();
  return { actor, effects, state: () => actor.getSnapshot().value };
}

test('start, configure, serve, reconfigure on a new config, stop with cleanup', async (t) => {
  const s = server();
  await settle();
  t.is(s.state(), 'serving');
  s.actor.send({ type: 'config', config: 'config-2' });
  await settle();
  t.is(s.state(), 'serving');
  s.actor.send({ type: 'stop' });
  await settle();
  t.is(s.state(), 'stopped');
  t.deepEqual(s.effects, [
    'start',
    'configure:config-1',
    'configure:config-2',
    'stopServer',
    'cleanup:config-2',
  ]);
  t.deepEqual(s.actor.getSnapshot().output, { error: null });
});

test('unmanaged: nothing is written or cleaned', async (t) => {
  const s = server({ managed: false });
  await settle();
  t.is(s.state(), 'serving');
  s.actor.send({ type: 'stop' });
  await settle();
  t.is(s.state(), 'stopped');
  t.deepEqual(s.effects, ['start', 'stopServer']);
});

test('a start that fails, or a first configuration that fails, is fatal', async (t) => {
  const a = server({ start: async () => Promise.reject(new Error('port in use')) });
  await settle();
  t.is(a.state(), 'failed');
  t.deepEqual(a.actor.getSnapshot().output, { error: 'port in use' });
  t.deepEqual(a.effects, ['start', 'stopServer']);
  const b = server({ configure: async () => Promise.reject(new Error('forbidden')) });
  await settle();
  t.is(b.state(), 'failed');
  t.deepEqual(b.actor.getSnapshot().output, { error: 'forbidden' });
});

test('a later reconfiguration that fails is reported; serving goes on', async (t) => {
  const s = server({
    configure: async (config) => (config === 'config-2' ? Promise.reject(new Error('conflict')) : undefined),
  });
  await settle();
  s.actor.send({ type: 'config', config: 'config-2' });
  await settle();
  t.is(s.state(), 'serving');
  t.true(s.effects.includes('report:Reconfiguring the webhooks'));
});

test('stopped while starting: the server is closed, nothing to clean', async (t) => {
  let release!: (v: unknown) => void;
  const s = server({ start: () => new Promise((resolve) => (release = resolve)) });
  await settle();
  t.is(s.state(), 'starting');
  s.actor.send({ type: 'stop' });
  await settle();
  release('late');
  await settle();
  t.is(s.state(), 'stopped');
  t.deepEqual(s.effects, ['start', 'stopServer']);
});

test('the server failing while serving ends in failed', async (t) => {
  const s = server();
  await settle();
  s.actor.send({ type: 'server.failed', error: 'socket closed' });
  await settle();
  t.is(s.state(), 'failed');
  t.deepEqual(s.actor.getSnapshot().output, { error: 'socket closed' });
});
