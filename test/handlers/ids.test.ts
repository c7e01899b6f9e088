// Handler ids checked at registration (issue 12): an id that cannot name its progress annotation is refused
// when the handler is registered, with a message that says why and what to do, instead of every progress
// write being rejected by the API server later.
import test from 'ava';
import { getDefaultRegistry } from '../../src/handlers/registry.ts';
import * as kopf from '../../src/index.ts';
import { checkStorableId } from '../../src/handlers/ids.ts';

test('non-ASCII, spaced or badly bounded ids of change handlers are refused at registration', (t) => {
  const registry = getDefaultRegistry();
  const before = registry.all().length;
  for (const id of ['grüße', 'создать', 'two words', '_private', 'trailing-', '.dot']) {
    const err = t.throws(() => kopf.on.create('kopfexamples', { id }, async () => {}), {
      instanceOf: TypeError,
    });
    t.true(err.message.includes(JSON.stringify(id)), err.message);
    t.regex(err.message, /cannot name its progress annotation/);
    t.regex(err.message, /Pass another \{ id \}/);
  }
  t.throws(() => kopf.on.update('kopfexamples', async function _hidden() {}), {
    message: /"_hidden"/,
  });
  t.is(registry.all().length, before, 'nothing was registered');
});

test("Kopf's ids stay valid: sub-handler, field and long ids are made safe as Kopf makes them", (t) => {
  for (const id of [
    'create_fn',
    'parent/child',
    'fn/spec.field',
    'build_registry.<locals>.create_a',
    'x'.repeat(200),
    'a-b.c_d',
  ]) {
    t.notThrows(() => checkStorableId(id, 'create handler'), id);
  }
});
