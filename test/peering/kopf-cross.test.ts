// Cross-peering with the real Kopf (from PyPI, test/helpers/kopf-venv.ts): a Kopf operator and a kopf-ts operator
// on the same ClusterKopfPeering see each other's records; the lower priority pauses, in both directions, and
// resumes when the other exits (its record removed). Neither complains about the other's records.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { createObject } from '../../src/kube/objects.ts';
import { KopfRunner } from '../../src/testing.ts';
import { kex, KEX_RESOURCE } from '../helpers/kube.ts';
import { ensureKopfVenv } from '../helpers/kopf-venv.ts';
import { peeringPlane, type PeeringPlane } from '../helpers/peering.ts';

const TS_HANDLERS = fileURLToPath(new URL('../fixtures/peering/handlers.ts', import.meta.url));
const KOPF_HANDLERS = fileURLToPath(new URL('../fixtures/peering/kopf_handlers.py', import.meta.url));

let env: PeeringPlane;
let kopfCommand: string;
test.before(async () => {
  kopfCommand = ensureKopfVenv().kopf;
  env = await peeringPlane();
});
test.after.always(async () => {
  await env?.stop();
});

function kopf(priority: number): KopfRunner {
  return new KopfRunner(['run', '-A', '--verbose', '--priority', String(priority), KOPF_HANDLERS], {
    command: [kopfCommand],
    env: env.env,
    echo: process.env.KOPF_TS_TEST_ECHO === '1',
  }).start();
}

function kopfTs(priority: number): KopfRunner {
  return env.runner(['run', '-A', '--verbose', '--priority', String(priority), TS_HANDLERS]).start();
}

test.serial(
  'Kopf at 100, kopf-ts at 0: kopf-ts pauses, Kopf handles; Kopf exits: kopf-ts resumes',
  async (t) => {
    t.timeout(120_000);
    const python = kopf(100);
    const ts = kopfTs(0);
    try {
      await ts.waitFor(
        /Pausing operations in favour of \[<Peer \S+: priority=100, lifetime=60, lastseen='[^']+\+00:00'>\]/,
        60_000,
      );
      await createObject(env.user, KEX_RESOURCE, kex('to-kopf'), 'default');
      await python.waitFor(/KOPF HANDLED to-kopf/, 30_000);
      t.false(ts.output.includes('HANDLED to-kopf'), 'the paused kopf-ts does not handle it');
      await python.stop();
      await ts.waitFor(/Resuming operations after the pause/, 30_000);
      await createObject(env.user, KEX_RESOURCE, kex('after-kopf'), 'default');
      await ts.waitFor(/HANDLED after-kopf/, 30_000);
      t.false(ts.output.includes('HANDLED to-kopf'), 'what Kopf handled is not handled again');
    } finally {
      await python.stop();
      await ts.stop();
    }
  },
);

test.serial(
  'kopf-ts at 100, Kopf at 0: Kopf pauses, kopf-ts handles; kopf-ts exits: Kopf resumes',
  async (t) => {
    t.timeout(120_000);
    const ts = kopfTs(100);
    await ts.waitFor(/Watching kopfexamples/, 60_000);
    const python = kopf(0);
    try {
      await python.waitFor(
        /Pausing operations in favour of \[<Peer \S+: priority=100, lifetime=60, lastseen=/,
        60_000,
      );
      await createObject(env.user, KEX_RESOURCE, kex('to-ts'), 'default');
      await ts.waitFor(/HANDLED to-ts/, 30_000);
      t.false(python.output.includes('KOPF HANDLED to-ts'), 'the paused Kopf does not handle it');
      await ts.stop();
      await python.waitFor(/Resuming operations after the pause/, 30_000);
      await createObject(env.user, KEX_RESOURCE, kex('after-ts'), 'default');
      await python.waitFor(/KOPF HANDLED after-ts/, 30_000);
      t.notRegex(python.output, /Traceback/, "Kopf reads kopf-ts's records without errors");
    } finally {
      await ts.stop();
      await python.stop();
    }
  },
);
