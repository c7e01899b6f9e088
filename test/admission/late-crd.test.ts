// Admission handlers for a resource whose CRD appears after the operator started (Kopf re-patches its managed
// configurations when resources change): the operator warns that the resource is unresolved, then, once the CRD
// exists, rewrites its webhook configuration with the new resource's rules, and the API server calls the
// handler (test/fixtures/admission/late-crd.ts, run by KopfRunner against the real control plane).
import test from 'ava';
import { startAdmissionOperator } from '../helpers/admission.ts';
import { crdManifest, eventually, rawRequest } from '../helpers/cluster.ts';
import { kubectl } from '../helpers/kubectl.ts';

test('a CRD created after the start gets its webhook rules', async (t) => {
  const group = `${process.pid}-${Date.now()}.late.test`;
  const admission = await startAdmissionOperator(import.meta.filename, 'late-crd.ts', {
    args: ['--verbose'],
    env: { ADMISSION_LATE_GROUP: group },
  });
  const { cluster, namespace: ns, kubeconfig: kc, managed, runner: op } = admission;
  const crd = crdManifest({ group, plural: 'latewidgets', kind: 'LateWidget' });
  const widget = (field: string): string =>
    JSON.stringify({
      apiVersion: `${group}/v1`,
      kind: 'LateWidget',
      metadata: { name: `w-${field}` },
      spec: { field },
    });
  try {
    await op.waitFor(/Unresolved resources cannot be served by webhooks/, 60_000);
    await op.waitFor(/Reconfiguring the validating webhook/, 30_000);
    const before = JSON.parse(
      (await kubectl(kc, ['get', 'validatingwebhookconfiguration', managed, '-o', 'json'])).stdout,
    );
    t.deepEqual(
      before.webhooks[0].rules ?? [],
      [],
      'no rules yet (the API server leaves the empty list out)',
    );

    t.is(
      (await rawRequest(cluster.kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd))
        .status,
      201,
    );
    await op.waitFor(
      new RegExp(`The admission handlers now serve: latewidgets\\.v1\\.${group.replace(/\./g, '\\.')}\\.`),
      60_000,
    );
    const after = JSON.parse(
      (await kubectl(kc, ['get', 'validatingwebhookconfiguration', managed, '-o', 'json'])).stdout,
    );
    t.deepEqual(after.webhooks[0].rules[0].resources, ['latewidgets']);
    t.deepEqual(after.webhooks[0].rules[0].apiGroups, [group]);

    // The API server now calls the handler (once the CRD is served and its webhook cache has the new rules).
    const denied = await eventually(
      async () => {
        const r = await kubectl(kc, ['create', '-n', ns, '--dry-run=server', '-f', '-'], widget('forbidden'));
        return r.code !== 0 && r.stderr.includes('Late, but checked.') ? r : null;
      },
      'the late resource reviewed',
      30_000,
    );
    t.regex(denied.stderr, /denied the request: Late, but checked\./);
    t.is((await kubectl(kc, ['create', '-n', ns, '--dry-run=server', '-f', '-'], widget('fine'))).code, 0);
  } finally {
    t.is(await op.stop(), 0, op.output.slice(-3000));
    await kubectl(kc, [
      'delete',
      'validatingwebhookconfiguration,mutatingwebhookconfiguration',
      managed,
      '--ignore-not-found',
    ]);
    await kubectl(kc, ['delete', 'crd', `latewidgets.${group}`, '--ignore-not-found', '--wait=false']);
    await cluster.close();
  }
});
