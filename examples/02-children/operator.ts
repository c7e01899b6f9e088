// Example 02: create a child object (a Pod) owned by the KopfExample: kopf.adopt() sets its namespace,
// a name derived from the parent's, the parent's labels and an owner reference, so deleting the parent
// deletes the child (where a garbage collector runs). Tested by example.test.ts.
import * as k8s from '@kubernetes/client-node';
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', async function create_fn({ spec, body }) {
  const pod: k8s.V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: {
      containers: [
        {
          name: 'the-only-one',
          image: 'busybox',
          command: ['sh', '-x', '-c'],
          args: [`echo "FIELD=$FIELD"\nsleep ${String(spec.duration ?? 0)}`],
          env: [{ name: 'FIELD', value: String(spec.field ?? 'default-value') }],
        },
      ],
    },
  };

  // Make it our child: namespace, name, labels, owner reference.
  kopf.adopt(pod as kopf.Body, body);

  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const created = await kc.makeApiClient(k8s.CoreV1Api).createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod });

  // Update the parent's status.
  return { children: [created.metadata?.uid] };
});
