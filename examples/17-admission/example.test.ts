// End-to-end test of examples/17-admission: the real API server calls the operator's webhooks over HTTPS on
// loopback (WebhookAutoServer picks the plain server; the managed configurations point at it). Kopf's e2e
// checks (exit code 0, no stack traces; the example counts no handler successes), plus what it shows, through
// the real kubectl: a valid object passes and is mutated (`spec.injected`), the validator's warnings are
// printed, invalid objects are rejected with the handlers' messages (and validate2's code 555), a server-side
// dry run reaches the handlers with `dryrun` true (validate1 lets it through), and the non-persistent webhooks
// are removed when the operator stops.
import test from 'ava';
import { runExample, OBJ_YAML } from '../../test/helpers/example.ts';
import { kexYaml, kubectl } from '../../test/helpers/kubectl.ts';
import { KOPFEXAMPLES } from '../../test/helpers/cluster.ts';

test('validating and mutating webhooks are called by the API server', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/17-admission/operator.ts', {
    ready: /Reconfiguring the mutating webhook auto\.kopf\.dev/,
  });
  const kc = ex.cluster.kubeconfigPath;
  const ns = ['-n', ex.namespace];
  let code: number | null;
  try {
    // A valid, labelled object: admitted with the validators' warnings; mutate1 injected a field.
    const applied = await kubectl(kc, ['apply', ...ns, '-f', '-'], OBJ_YAML);
    t.is(applied.code, 0, applied.stderr);
    t.regex(applied.stderr, /Warning: Accessing as user-agent: kube-apiserver/);
    t.regex(applied.stderr, /Warning: SSL peer is not identified\./);
    t.is((await ex.get()).spec.injected, 123);

    // Rejected by validate1 with its message (the default code 500 is not what kubectl shows, so read it raw).
    const wrong = await kubectl(kc, ['apply', ...ns, '-f', '-'], kexYaml('kex-wrong', 'wrong'));
    t.not(wrong.code, 0);
    t.regex(
      wrong.stderr,
      /admission webhook "validate1\.auto\.kopf\.dev" denied the request: Meh! I don't like it\. Change the field\./,
    );

    // Rejected by validate2 with its message and code 555, as the API client gets it.
    const error = await t.throwsAsync(
      ex.cluster.custom.createNamespacedCustomObject({
        ...KOPFEXAMPLES,
        namespace: ex.namespace,
        body: {
          apiVersion: 'kopf.dev/v1',
          kind: 'KopfExample',
          metadata: { name: 'kex-lazy' },
          spec: { field: 'not-allowed' },
        },
      }),
    );
    t.is((error as { code?: number }).code, 555);
    t.regex(String((error as { body?: unknown }).body), /I'm too lazy anyway\. Go away!/);

    // A server-side dry run reaches the handlers with dryrun=true: validate1 lets 'wrong' through then.
    const dry = await kubectl(
      kc,
      ['create', ...ns, '--dry-run=server', '-f', '-'],
      kexYaml('kex-dry', 'wrong'),
    );
    t.is(dry.code, 0, dry.stderr);
    t.regex(dry.stdout, /kex-dry created \(server dry run\)/);

    await ex.deleteAndWaitGone();
  } finally {
    code = await ex.close();
  }
  t.is(code, 0);
  t.notRegex(ex.runner.output, /Traceback|\n\s+at .+\(.+:\d+:\d+\)/);
  t.regex(ex.runner.output, /Cleaning up the validating webhook auto\.kopf\.dev/);
});
