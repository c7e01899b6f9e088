// A typed operator written as a user writes one: every handler kind with typed kwargs and options, `spec` and
// `status` made precise with generics, no casts. Only type-checked (`tsc --strict`), never run: by
// test/types/types.test.ts against the repository's source and by the package test against the installed
// package, so it imports nothing but 'kopf-ts'.
import * as kopf from 'kopf-ts';

/** True when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when its type argument is `true` (the values are those the check is about). */
function assertType<T extends true>(..._values: unknown[]): T | void {}

/** The spec of a KopfExample, as its CRD declares it. */
interface KopfExampleSpec {
  field: string;
  items?: string[];
  duration?: string;
  size: number;
}
/** Its status: what the handlers below return and patch. */
type KopfExampleStatus = {
  create_fn?: { message: string };
  phase?: 'Pending' | 'Running' | 'Done';
  children?: string[];
};

// Activities: settings, the operator-wide memo, logger, the attempt.
kopf.on.startup(async function configure({
  settings,
  memo,
  logger,
  retry,
  started,
  runtime,
  param,
  activity,
}) {
  settings.posting.level = 'warn';
  memo.startedAt = started.toISOString();
  logger.info('starting, attempt %d after %s s', retry, runtime.toFixed(1));
  assertType<Equal<typeof activity, 'startup' | 'cleanup'>>(activity);
  void param;
});
kopf.on.cleanup({ id: 'goodbye', timeout: 5, errors: 'ignored' }, function goodbye({ logger, memo }) {
  logger.info({ startedAt: memo.startedAt }, 'bye');
});

// Probes: an activity's kwargs with `activity: 'probe'`; the result is served by --liveness.
const probeOptions: kopf.ProbeOptions = { id: 'now', errors: 'ignored' };
const probe: kopf.ProbeFn = kopf.on.probe(probeOptions, async function now({ activity, settings }) {
  assertType<Equal<typeof activity, 'probe'>>(activity);
  return { at: new Date().toISOString(), cached: settings.liveness.cachingPeriod };
});
kopf.on.probe(function count({ memo }: kopf.ProbeKwargs) {
  return Object.keys(memo).length;
});
void probe;

// Change handlers with the object's types given as generics.
kopf.on.create<KopfExampleSpec, KopfExampleStatus>(
  'kopfexamples.kopf.dev',
  { retries: 3, backoff: 1, labels: { somelabel: kopf.PRESENT }, when: ({ spec }) => spec.size > 0 },
  async function create_fn({
    spec,
    status,
    patch,
    body,
    meta,
    name,
    namespace,
    uid,
    labels,
    annotations,
    resource,
    reason,
    diff,
    old,
    new: essence,
    logger,
    memo,
    retry,
  }) {
    assertType<Equal<typeof spec.size, number>>(spec.size);
    assertType<Equal<typeof status.phase, 'Pending' | 'Running' | 'Done' | undefined>>(status.phase);
    assertType<Equal<typeof body.spec, KopfExampleSpec | undefined>>(body.spec);
    assertType<Equal<typeof reason, 'create' | 'update' | 'delete' | 'resume'>>(reason);
    assertType<Equal<typeof old, kopf.BodyEssence<KopfExampleSpec> | null>>(old);
    assertType<Equal<typeof namespace, string | null>>(namespace);
    for (const [op, path, before, after] of diff) {
      assertType<Equal<typeof op, kopf.DiffOperation>>(op);
      logger.debug(`${op} ${path.join('.')}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    }
    patch.status.phase = 'Pending';
    patch.status.children = null; // null deletes
    patch.metadata.labels['handled-by'] = name;
    patch.spec.size = spec.size + 1;
    memo.lastUid = uid;
    if (retry > 5) throw new kopf.PermanentError(`gave up on ${resource.plural}/${meta.name ?? ''}`);
    if (!essence?.spec?.field) throw new kopf.TemporaryError('no field yet', { delay: 10 });
    kopf.info(body, {
      reason: 'Created',
      message: `${labels['somelabel'] ?? ''} ${annotations['someannotation'] ?? ''}`,
    });
    kopf.subhandler({ id: 'child' }, async ({ spec: sub }) => ({ size: sub['size'] }));
    return { message: `created ${spec.field}` };
  },
);

// A handler typed through its kwargs type instead of generics: the types are inferred from it.
async function resumed({
  spec,
  reason,
}: kopf.ChangingKwargs<KopfExampleSpec, KopfExampleStatus>): Promise<kopf.HandlerResult> {
  return { resumed: reason, items: spec.items ?? [] };
}
kopf.on.resume('kopfexamples', { deleted: true }, resumed);

// With a `field`, old/new are that field's values, typed by the third generic.
kopf.on.update<KopfExampleSpec, KopfExampleStatus, string | null>(
  'kopfexamples',
  { field: 'spec.field', old: kopf.PRESENT, new: (value) => value !== 'skip' },
  function field_changed({ old, new: value, diff, patch }) {
    assertType<Equal<typeof old, string | null>>(old);
    patch.status.phase = value === null ? 'Done' : 'Running';
    return { from: old, to: value, changes: diff.length };
  },
);
kopf.on.update('kopfexamples', async function updated({ old, new: now, spec }) {
  return { grew: (now?.spec?.['size'] ?? 0) > (old?.spec?.['size'] ?? 0), field: spec['field'] };
});
kopf.on.field<KopfExampleSpec, KopfExampleStatus, string[] | null>(
  'kopfexamples',
  { field: ['spec', 'items'] },
  function items_changed({ new: items }) {
    return { count: items?.length ?? 0 };
  },
);
kopf.on.delete('kopfexamples', { optional: true, id: 'farewell' }, async ({ name, logger }) => {
  logger.info(`deleting ${name}`);
});

// Raw events, including the initial listing (type null).
kopf.on.event<KopfExampleSpec>(
  'kopfexamples',
  { labels: { somelabel: 'somevalue' } },
  function seen({ type, event, spec }) {
    assertType<Equal<typeof type, kopf.RawEventType>>(type);
    assertType<Equal<typeof event.object.spec, KopfExampleSpec | undefined>>(event.object.spec);
    return spec.field;
  },
);

// Daemons: an unannotated one may be async or plain; annotated ones get the precise flavour.
kopf.daemon<KopfExampleSpec>(
  'kopfexamples',
  { cancellationBackoff: 1, cancellationTimeout: 0.5 },
  async function monitor({ stopped, spec, logger }) {
    while (!stopped.isSet()) {
      logger.info(`still here: ${spec.field}`);
      await stopped.wait(10);
    }
    logger.info(`stopped: ${stopped.reason ?? 'unknown'}`);
  },
);
kopf.daemon(
  'kopfexamples',
  async function cancellable({
    signal,
    stopped,
    patch,
  }: kopf.AsyncDaemonKwargs<KopfExampleSpec, KopfExampleStatus>) {
    signal.addEventListener('abort', () => undefined, { once: true });
    const done: boolean = await stopped.wait(1);
    patch.status.phase = done ? 'Done' : 'Running';
  },
);
kopf.on.daemon(
  'kopfexamples',
  { offload: false, initialDelay: 2 },
  function blocking({ stopped, spec }: kopf.SyncDaemonKwargs<KopfExampleSpec>) {
    let ticks = 0;
    while (!stopped.wait(5)) ticks += spec.size;
    return { ticks };
  },
);

// Timers, sync and async, with their options.
kopf.timer<KopfExampleSpec, KopfExampleStatus>(
  'kopfexamples',
  { interval: 10, idle: 5, sharp: true, initialDelay: ({ spec }) => spec.size },
  function tick({ spec, patch, stopped }) {
    if (stopped.isSet()) return;
    patch.status.phase = 'Running';
    return { ticked: spec.field };
  },
);
kopf.on.timer('kopfexamples', { interval: 60 }, async function hourly({ runtime }) {
  return { runtime };
});

// Options kept in a variable of the decorator's options type.
const deleteOptions: kopf.DeleteOptions<KopfExampleSpec> = {
  optional: true,
  labels: { somelabel: kopf.ABSENT },
};
kopf.on.delete('kopfexamples', deleteOptions, function release({ spec }) {
  return { released: spec['field'] };
});

// Children: the running handler's object adopts them.
kopf.on.create('kopfexamples', async function make_child({ body, name }) {
  const child = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-child` },
    data: { a: 'b' },
  };
  kopf.adopt(child, body);
  return { child: child.metadata.name };
});

// Admission: the servers in a startup handler; typed validators and mutators with their kwargs.
kopf.on.startup(async function admission({ settings }) {
  settings.admission.server = new kopf.WebhookAutoServer({ port: 9443, extraSans: ['operator.example.com'] });
  settings.admission.managed = 'auto.kopf.dev';
  settings.admission.timeoutSeconds = 10;
});
kopf.on.validate<KopfExampleSpec>(
  'kopfexamples',
  { operations: ['CREATE', 'UPDATE'], ignoreFailures: true },
  function check_size({ spec, old, warnings, dryrun, userinfo, operation, sslpeer, headers }) {
    assertType<Equal<typeof spec, KopfExampleSpec>>(spec);
    assertType<Equal<typeof old, kopf.Body<KopfExampleSpec, kopf.Status> | null>>(old);
    assertType<Equal<typeof operation, kopf.Operation>>(operation);
    if (spec.size > 10 && !dryrun) throw new kopf.AdmissionError(`Too big for ${userinfo.username ?? 'you'}.`, { code: 400 });
    warnings.push(`via ${String(headers['user-agent'])}, peer ${JSON.stringify(sslpeer.subject ?? null)}`);
  },
);
kopf.on.mutate<KopfExampleSpec>('kopfexamples', async function default_size({ spec, patch }) {
  if (!spec.size) patch.spec.size = 1;
});
