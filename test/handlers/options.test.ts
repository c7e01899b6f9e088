// Strict registration options (src/handlers/options.ts through the front door): every option of the table is
// accepted by its registration (so the runtime agrees with the option types, which on.ts checks against the same
// table), and an unknown option, a Kopf snake_case spelling or a bad value is a registration error naming the
// option, the handler and the valid options. kopf.ErrorsMode is a value. No cluster.
import test from 'ava';
import * as kopf from '../../src/index.ts';
import { OPTION_NAMES, type OptionName } from '../../src/handlers/options.ts';

const registry = new kopf.Registry();
kopf.setDefaultRegistry(registry);
test.beforeEach(() => registry.clear());
test.serial.afterEach(() => registry.clear());

/** A valid value for every option name of the table. */
const SAMPLE: Record<string, unknown> = {
  id: 'the_id',
  param: { any: 'thing' },
  errors: kopf.ErrorsMode.IGNORED,
  timeout: 10,
  retries: 3,
  backoff: 1,
  offload: false,
  registry,
  labels: { a: 'b' },
  annotations: { c: kopf.PRESENT },
  when: () => true,
  field: 'spec.field',
  value: 'x',
  old: 'a',
  new: 'b',
  deleted: true,
  optional: true,
  initialDelay: 1,
  cancellationBackoff: 1,
  cancellationTimeout: 1,
  cancellationPolling: 1,
  interval: 1,
  idle: 1,
  sharp: true,
  operation: 'CREATE',
  operations: ['CREATE', 'UPDATE'],
  subresource: 'status',
  persistent: true,
  sideEffects: true,
  ignoreFailures: true,
};

function fn(): void {}
async function afn(): Promise<void> {}

/** Registers with `options` through the public call of `registration`. */
function register(registration: keyof typeof OPTION_NAMES, options: Record<string, unknown>): void {
  const o = options as any;
  switch (registration) {
    case 'startup':
    case 'cleanup':
    case 'login':
    case 'probe':
      (kopf.on[registration] as any)(o, fn);
      return;
    case 'daemon':
    case 'timer':
      (kopf[registration] as any)('kopfexamples', o, fn);
      return;
    case 'subhandler':
      kopf.subhandler(o, afn); // outside a change handler: the options are checked first, then this throws
      return;
    default:
      (kopf.on[registration] as any)('kopfexamples', o, fn);
  }
}

test.serial(
  'every option of the table is accepted by its registration (the runtime agrees with the types)',
  (t) => {
    for (const [registration, names] of Object.entries(OPTION_NAMES) as [
      keyof typeof OPTION_NAMES,
      readonly string[],
    ][]) {
      for (const name of names) {
        registry.clear();
        const options: Record<string, unknown> = { [name]: SAMPLE[name] };
        if (name === 'value' || name === 'old' || name === 'new' || registration === 'field')
          options['field'] = 'spec.field';
        t.true(name in SAMPLE, `a sample for ${name}`);
        if (registration === 'subhandler') {
          t.throws(
            () => register(registration, options),
            { message: /only be used inside a change handler/ },
            `${registration}: ${name}`,
          );
        } else {
          t.notThrows(() => register(registration, options), `${registration}: ${name}`);
        }
      }
    }
  },
);

test('the sub-handler options type and the table agree (checked by the type check)', (t) => {
  type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
  const agree: Same<keyof kopf.SubhandlerOptions, OptionName<'subhandler'>> = true;
  t.true(agree);
});

test.serial('an unknown option names the option, the handler and the valid options', (t) => {
  const err = t.throws(() => kopf.on.create('kopfexamples', { idd: 'x' } as any, function create_fn() {}));
  t.is(err?.constructor, TypeError);
  t.regex(err!.message, /kopf\.on\.create\(\) of the handler "create_fn": unknown option 'idd'\./);
  t.regex(
    err!.message,
    /Valid options: id, param, errors, timeout, retries, backoff, offload, registry, labels, annotations, when, field, value\.$/,
  );
  t.deepEqual(registry.all(), [], 'nothing is registered');
});

test.serial("another registration's option is unknown here", (t) => {
  t.throws(() => kopf.on.create('kopfexamples', { interval: 10 } as any, fn), {
    message: /kopf\.on\.create\(\) of the handler "fn": unknown option 'interval'/,
  });
  t.throws(() => kopf.on.event('kopfexamples', { retries: 3 } as any, fn), {
    message: /unknown option 'retries'.*Valid options: id, param, offload, registry, labels/,
  });
  t.throws(() => kopf.daemon('kopfexamples', { sharp: true } as any, fn), {
    message: /kopf\.daemon\(\) of the handler "fn": unknown option 'sharp'/,
  });
  t.throws(() => kopf.timer('kopfexamples', { cancellationTimeout: 1 } as any, fn), {
    message: /kopf\.timer\(\) .*unknown option 'cancellationTimeout'/,
  });
  t.throws(() => kopf.on.startup({ field: 'spec' } as any, fn), {
    message: /kopf\.on\.startup\(\) .*unknown option 'field'/,
  });
  t.throws(() => kopf.subhandler({ labels: {} } as any, afn), {
    message: /kopf\.subhandler\(\) of the handler "afn": unknown option 'labels'/,
  });
});

test.serial("Kopf's snake_case spellings are rejected with the camelCase one to use", (t) => {
  const cases: [string, () => unknown, string][] = [
    ['initial_delay', () => kopf.daemon('kopfexamples', { initial_delay: 6 } as any, fn), 'initialDelay'],
    [
      'cancellation_backoff',
      () => kopf.daemon('kopfexamples', { cancellation_backoff: 1 } as any, fn),
      'cancellationBackoff',
    ],
    [
      'cancellation_timeout',
      () => kopf.daemon('kopfexamples', { cancellation_timeout: 0.5 } as any, fn),
      'cancellationTimeout',
    ],
    [
      'cancellation_polling',
      () => kopf.daemon('kopfexamples', { cancellation_polling: 5 } as any, fn),
      'cancellationPolling',
    ],
    [
      'initial_delay',
      () => kopf.timer('kopfexamples', { interval: 1, initial_delay: 6 } as any, fn),
      'initialDelay',
    ],
  ];
  for (const [name, call, camel] of cases) {
    t.throws(
      call,
      {
        instanceOf: TypeError,
        message: new RegExp(
          `unknown option '${name}'\\. It is Kopf's spelling: kopf-ts spells the options in camelCase, use '${camel}'\\.`,
        ),
      },
      name,
    );
  }
  t.throws(() => kopf.on.create('kopfexamples', { initial_delay: 1 } as any, fn), {
    message:
      /unknown option 'initial_delay'\. \(kopf-ts spells options in camelCase; 'initialDelay' is not an option here either\.\)/,
  });
  t.deepEqual(registry.all(), []);
});

test.serial(
  'errors: kopf.ErrorsMode values are the canonical strings; upper-case strings are rejected with the one to use',
  (t) => {
    t.is(kopf.ErrorsMode.PERMANENT, 'permanent');
    t.is(kopf.ErrorsMode.TEMPORARY, 'temporary');
    t.is(kopf.ErrorsMode.IGNORED, 'ignored');
    t.deepEqual(Object.keys(kopf.ErrorsMode).sort(), ['IGNORED', 'PERMANENT', 'TEMPORARY']);
    kopf.on.create('kopfexamples', { errors: kopf.ErrorsMode.PERMANENT }, function by_value() {});
    kopf.on.create('kopfexamples', { errors: 'ignored' }, function by_string() {});
    t.deepEqual(
      registry.all().map((h) => h.errors),
      ['permanent', 'ignored'],
    );
    t.throws(() => kopf.on.create('kopfexamples', { errors: 'PERMANENT' } as any, fn), {
      message:
        /errors must be one of 'temporary', 'permanent', 'ignored' \(kopf\.ErrorsMode\.\*\), got "PERMANENT"\. Use 'permanent' \(kopf\.ErrorsMode\.PERMANENT\)\./,
    });
    t.throws(() => kopf.on.startup({ errors: 'fatal' } as any, fn), { message: /got "fatal"\.$/ });
  },
);

test.serial('numbers: seconds and retries must be non-negative numbers, a timer interval positive', (t) => {
  t.throws(() => kopf.on.create('kopfexamples', { timeout: -1 }, fn), {
    message:
      /kopf\.on\.create\(\) of the handler "fn": timeout must be a non-negative number of seconds \(or null\), got -1\./,
  });
  t.throws(() => kopf.on.update('kopfexamples', { retries: -2 }, fn), {
    message: /retries must be a non-negative number \(or null\), got -2/,
  });
  t.throws(() => kopf.on.delete('kopfexamples', { backoff: '1' } as any, fn), {
    message: /backoff must be a non-negative number of seconds \(or null\), got "1"/,
  });
  t.throws(() => kopf.timer('kopfexamples', { interval: 0 }, fn), {
    message: /interval must be a positive number of seconds \(or null\), got 0/,
  });
  t.throws(() => kopf.timer('kopfexamples', { idle: -5 }, fn), {
    message: /idle must be a non-negative number/,
  });
  t.throws(() => kopf.daemon('kopfexamples', { initialDelay: -1 }, fn), {
    message: /initialDelay must be a non-negative number of seconds or a function/,
  });
  t.throws(() => kopf.daemon('kopfexamples', { cancellationTimeout: Infinity }, fn), {
    message: /cancellationTimeout must be a non-negative number/,
  });
  t.throws(() => kopf.on.create('kopfexamples', { offload: 'no' } as any, fn), {
    message: /offload must be true or false, got "no"/,
  });
  t.throws(() => kopf.on.create('kopfexamples', { id: 7 } as any, fn), {
    message: /id must be a string, got 7/,
  });
  t.throws(() => kopf.on.create('kopfexamples', null as any, fn), {
    message: /the options must be an object, got null/,
  });
  t.notThrows(() =>
    kopf.timer('kopfexamples', { interval: 0.5, idle: 0, timeout: null, initialDelay: () => 1 }, fn),
  );
  t.is(registry.all().length, 1);
});

test("registry: the handler goes to the given registry (Kopf's registry=), not the default one; a non-registry is an error", (t) => {
  const own = new kopf.Registry();
  kopf.on.create('kopfexamples', { registry: own }, function mine() {});
  kopf.on.event('kopfexamples', { registry: own }, function seen() {});
  kopf.on.startup({ registry: own }, function started() {});
  t.deepEqual(own.handlerIds(), ['changing:mine', 'event:seen', 'activity:started']);
  t.deepEqual(registry.handlerIds(), []);
  t.throws(() => kopf.on.create('kopfexamples', { registry: {} } as any, fn), {
    message: /registry must be a kopf\.Registry, got/,
  });
});
