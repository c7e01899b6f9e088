// End-to-end test of examples/10-builtins: handlers on Pods, a built-in resource. The control plane has no
// scheduler or kubelet, so the pods stay Pending; what is checked is what the apiserver alone does: the
// operator's finalizer on the pods, a killer started per pod, cancelled when the pod is deleted first, or
// deleting the pod itself after 30 s (as Kopf's test_example_10 checks, plus the kill); no killer in a kube-*
// namespace (the operator serves one of those too); and Kopf's e2e checks.
import test from 'ava';
import type * as k8s from '@kubernetes/client-node';
import { runExample, literal, checkKopfE2e } from '../../test/helpers/example.ts';
import { eventually } from '../../test/helpers/cluster.ts';
import { randomBytes } from 'node:crypto';

// A protected namespace for this run (the namespace is created after the operator starts to watch it).
const KUBE_NAMESPACE = `kube-kopf-example-10-${randomBytes(3).toString('hex')}`;

test('each pod gets a killer: cancelled by an earlier deletion, else it deletes the pod after 30 s', async (t) => {
  const ex = await runExample(import.meta.filename, 'examples/10-builtins/operator.ts', {
    args: ['-n', KUBE_NAMESPACE],
    ready: /Watching pods/,
  });
  const { core } = ex.cluster;
  const namespace = ex.namespace;
  const createPod = async (namespace = ex.namespace): Promise<string> => {
    const body: k8s.V1Pod = {
      metadata: { generateName: 'kopf-pod-' },
      spec: {
        containers: [{ name: 'the-only-one', image: 'busybox', command: ['sh', '-x', '-c', 'sleep 1'] }],
      },
    };
    return (await core.createNamespacedPod({ namespace, body })).metadata!.name!;
  };
  const gone = async (name: string, timeoutMs: number, namespace = ex.namespace): Promise<void> => {
    await eventually(
      async () => {
        try {
          await core.readNamespacedPod({ namespace, name });
          return false;
        } catch (err) {
          return (err as { code?: number }).code === 404;
        }
      },
      `pod ${name} to be gone`,
      timeoutMs,
    );
  };
  let cancelled: string | undefined;
  let killed: string | undefined;
  try {
    const createdAt = Date.now();
    killed = await createPod();
    cancelled = await createPod();
    await core.createNamespace({ body: { metadata: { name: KUBE_NAMESPACE } } });
    const spared = await createPod(KUBE_NAMESPACE);
    await ex.runner.waitFor(literal(`${ex.prefix(cancelled)}=== Pod killing happens in 30s.`));
    await ex.runner.waitFor(literal(`${ex.prefix(killed)}=== Pod killing happens in 30s.`));
    const pod = await eventually(async () => {
      const p = await core.readNamespacedPod({ namespace, name: cancelled! });
      return p.metadata?.finalizers?.length ? p : null;
    }, 'the finalizer on the pod');
    t.deepEqual(pod.metadata!.finalizers, ['kopf.zalando.org/KopfFinalizerMarker']);
    t.is(pod.status?.phase, 'Pending', 'no scheduler: the pod never runs');

    // In a kube-* namespace: handled (and given the finalizer), but no killer; deleting it releases it.
    await ex.runner.waitFor(
      literal(`[${KUBE_NAMESPACE}/${spared}] Creation is processed: 1 succeeded; 0 failed.`),
    );
    t.false(ex.runner.output.includes(`[${KUBE_NAMESPACE}/${spared}] === Pod killing`));
    await core.deleteNamespacedPod({ namespace: KUBE_NAMESPACE, name: spared });
    await gone(spared, 20_000, KUBE_NAMESPACE);

    // Deleted before its time: the delete handler cancels the killer, then the finalizer is released.
    await core.deleteNamespacedPod({ namespace, name: cancelled });
    await ex.runner.waitFor(literal(`${ex.prefix(cancelled)}=== Pod killing is cancelled!`));
    await gone(cancelled, 20_000);

    // Left alone: the killer deletes it after 30 s, and the operator handles that deletion as any other.
    await ex.runner.waitFor(literal(`${ex.prefix(killed)}=== Pod killing happens NOW!`), 45_000);
    t.true(Date.now() - createdAt >= 29_000, 'not before 30 s');
    await gone(killed, 20_000);
    await ex.runner.waitFor(literal(`${ex.prefix(killed)}Deleted, really deleted`));
  } finally {
    t.is(await ex.close(), 0);
  }
  const out = ex.runner.output;
  if (!killed || !cancelled) return;
  t.false(out.includes(`${ex.prefix(killed)}=== Pod killing is cancelled!`));
  t.false(out.includes(`${ex.prefix(cancelled)}=== Pod killing happens NOW!`));
  for (const name of [cancelled, killed]) {
    checkKopfE2e(t, out, ex.prefix(name), {
      creation: true,
      finalizer: true,
      deleted: true,
      successes: { pod_in_sight: 3, pod_deleted: 3 },
    });
  }
});
