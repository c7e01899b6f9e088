// Wrong uses of the registration API that must NOT compile: each `@ts-expect-error` fails the type check
// (test/types/types.test.ts) when the line below it compiles. Only type-checked, never run; imports nothing
// but 'kopf-ts'.
import * as kopf from 'kopf-ts';

interface Spec {
  field: string;
  size: number;
}
type Status = { phase?: 'Pending' | 'Done' };

const noop = async (): Promise<void> => undefined;

// Options: unknown ones, and those of another decorator.
// @ts-expect-error -- no such option
kopf.on.create('kopfexamples', { idd: 'create_fn' }, noop);
// @ts-expect-error -- `interval` is a timer's option
kopf.on.create('kopfexamples', { interval: 10 }, noop);
// @ts-expect-error -- `old`/`new` filters are for update and field handlers
kopf.on.create('kopfexamples', { field: 'spec.field', old: 'a' }, noop);
// @ts-expect-error -- `optional` is a delete handler's option
kopf.on.create('kopfexamples', { optional: true }, noop);
// @ts-expect-error -- `deleted` is a resume handler's option
kopf.on.update('kopfexamples', { deleted: true }, noop);
// @ts-expect-error -- event handlers are never retried
kopf.on.event('kopfexamples', { retries: 3 }, noop);
// @ts-expect-error -- `interval` is a timer's option, not a daemon's
kopf.daemon('kopfexamples', { interval: 10 }, noop);
// @ts-expect-error -- `cancellationBackoff` is a daemon's option, not a timer's
kopf.timer('kopfexamples', { cancellationBackoff: 1 }, noop);
// @ts-expect-error -- not an errors mode
kopf.on.startup({ errors: 'fatal' }, noop);
// @ts-expect-error -- on.field needs a field
kopf.on.field('kopfexamples', { id: 'f' }, noop);
// @ts-expect-error -- activities have no selector
kopf.on.startup('kopfexamples', noop);
// @ts-expect-error -- a seconds option is a number
kopf.timer('kopfexamples', { interval: '10s' }, noop);

// Handlers: only functions, with the kwargs of their kind.
// @ts-expect-error -- not a function
kopf.on.create('kopfexamples', 'create_fn');
// @ts-expect-error -- options but no handler
kopf.on.create('kopfexamples', { id: 'create_fn' });
// @ts-expect-error -- not a function
kopf.daemon('kopfexamples', {}, 42);
// @ts-expect-error -- `stopped` is for daemons and timers
kopf.on.create('kopfexamples', async function create_fn({ stopped }) {
  void stopped;
});
// @ts-expect-error -- `settings` is for activities
kopf.on.update('kopfexamples', async function update_fn({ settings }) {
  void settings;
});
// @ts-expect-error -- `type`/`event` are for event handlers
kopf.timer('kopfexamples', async function tick({ event }) {
  void event;
});
// @ts-expect-error -- activities get no object
kopf.on.startup(async function startup_fn({ spec }) {
  void spec;
});
kopf.daemon('kopfexamples', function maybe_async({ stopped, signal }) {
  // @ts-expect-error -- a daemon that may be async gets a boolean or a Promise
  const done: boolean = stopped.wait(1);
  // @ts-expect-error -- and maybe no signal (a plain function on the pool)
  void signal.aborted;
  return { done };
});
// @ts-expect-error -- a plain function is not an async daemon
kopf.daemon('kopfexamples', function not_async(_kwargs: kopf.AsyncDaemonKwargs) {});

// Results: JSON-like or nothing.
// @ts-expect-error -- a function is no result
kopf.on.create('kopfexamples', async function returns_function() {
  return () => 1;
});
// @ts-expect-error -- neither is a Date
kopf.on.create('kopfexamples', function returns_date() {
  return new Date();
});

// Diffs: Kopf's items `[op, path, old, new]`.
// @ts-expect-error -- the path is a list of keys, not a dotted string
const stringPath: kopf.DiffItem = ['add', 'spec.field', null, 'x'];
// @ts-expect-error -- no such operation
const badOperation: kopf.DiffItem = ['replace', ['spec', 'field'], 'a', 'b'];
// @ts-expect-error -- four parts
const tooShort: kopf.DiffItem = ['remove', ['spec', 'field'], 'a'];
void [stringPath, badOperation, tooShort];
kopf.on.update('kopfexamples', function read_only({ diff }) {
  // @ts-expect-error -- the diff is read-only
  diff.push(['add', ['spec'], null, {}]);
});

// spec/status made precise by generics.
kopf.on.create<Spec, Status>('kopfexamples', async function typed({ spec, status, patch }) {
  // @ts-expect-error -- size is a number
  const size: string = spec.size;
  // @ts-expect-error -- no such field in the spec
  void spec.color;
  // @ts-expect-error -- not a phase
  patch.status.phase = 'Running';
  // @ts-expect-error -- no such field in the status
  void status.ready;
  return { size };
});
// @ts-expect-error -- the `when` filter sees the typed spec too
kopf.on.create<Spec>('kopfexamples', { when: ({ spec }) => spec.colour === 'red' }, noop);
kopf.timer<Spec>(
  'kopfexamples',
  {
    // @ts-expect-error -- initialDelay gives seconds
    initialDelay: ({ spec }) => spec.field,
  },
  noop,
);

// Admission: no retries for webhooks; operations are Kopf's four.
// @ts-expect-error -- webhooks have no retries
kopf.on.validate('kopfexamples', { retries: 3 }, noop);
// @ts-expect-error -- not an admission operation
kopf.on.mutate('kopfexamples', { operations: ['PATCH'] }, noop);
kopf.on.validate<Spec>('kopfexamples', async function typed({ spec, warnings }) {
  // @ts-expect-error -- warnings are strings
  warnings.push(1);
  // @ts-expect-error -- no such field in the spec
  void spec.colour;
});
