// End-to-end test of examples/06-peering, as its README runs it: two operators of the same priority warn and
// pause; one restarted with --dev makes the other pause, and its exit resumes it; `kopf-ts freeze` and
// `kopf-ts resume` do the same by hand. On a control plane of its own with Kopf's peering.yaml applied (its
// ClusterKopfPeering `default` would make the other test files' cluster-wide operators peer).
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createObject } from '../../src/kube/objects.ts';
import { kex, KEX_RESOURCE } from '../../test/helpers/kube.ts';
import { peeringPlane } from '../../test/helpers/peering.ts';
import { literal } from '../../test/helpers/example.ts';

const OPERATOR = fileURLToPath(new URL('./operator.ts', import.meta.url));

test('the README: same priorities warn, --dev pauses the other, its exit and freeze/resume work', async (t) => {
  t.timeout(180_000);
  const env = await peeringPlane();
  const a = env.runner(['run', OPERATOR, '--verbose']).start();
  let b = env.runner(['run', OPERATOR, '--verbose']).start();
  try {
    // Both complain about the sibling of the same priority.
    await a.waitFor(
      /Possibly conflicting operators with the same priority: \[<Peer .*priority=0, lifetime=60/,
      60_000,
    );
    await b.waitFor(
      /Possibly conflicting operators with the same priority: \[<Peer .*priority=0, lifetime=60/,
      60_000,
    );

    // B again with --dev: A pauses in its favour.
    t.is(await b.stop(), 0);
    const mark = a.output.length;
    b = env.runner(['run', OPERATOR, '--verbose', '--dev']).start();
    await a.waitFor(/Pausing operations in favour of \[<Peer .*priority=666, lifetime=60/, 60_000, mark);
    await createObject(env.user, KEX_RESOURCE, kex('kopf-example-1'), 'default');
    await b.waitFor(literal("[default/kopf-example-1] Handler 'create_fn' succeeded."), 30_000);

    // B stops: its record goes, A resumes.
    t.is(await b.stop(), 0);
    await a.waitFor(/Resuming operations after the pause/, 30_000, mark);
    t.false(a.output.slice(mark).includes("Handler 'create_fn'"), 'A did not handle what B handled');

    // The same by hand.
    const frozen = a.output.length;
    const freeze = await env.command(['freeze', '--lifetime', '60', '--priority', '100']);
    t.regex(freeze, /Frozen as \S+@\S+ \(priority 100, for 60 s\) in 'default' cluster-wide/);
    await a.waitFor(
      /Pausing operations in favour of \[<Peer [^/\s]+@[^/\s]+: priority=100, lifetime=60/,
      30_000,
      frozen,
    );
    await createObject(env.user, KEX_RESOURCE, kex('kopf-example-2'), 'default');
    await env.command(['resume']);
    await a.waitFor(/Resuming operations after the pause/, 30_000, frozen);
    // What was created during the freeze is handled after it.
    await a.waitFor(literal("[default/kopf-example-2] Handler 'create_fn' succeeded."), 30_000, frozen);
    t.is(await a.stop(), 0);
    t.notRegex(a.output, /Traceback|^\s+at .*\(.*:\d+:\d+\)$/m);
  } finally {
    await a.stop();
    await b.stop();
    await env.stop();
  }
});
