// Example 02: create a child object (a Pod) owned by the KopfExample: kopf.adopt() sets its namespace,
// a name derived from the parent's, the parent's labels and an owner reference, so deleting the parent
// deletes the child (where a garbage collector runs). A plain function, as Kopf's `def`: it runs on the
// worker pool, and kopf.adopt() without an owner adopts to the object being handled. Tested by example.test.ts.
import * as k8s from '@kubernetes/client-node';
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', function create_fn({ spec }) {
  // Render the pod with some spec fields used in the template.
  const doc: k8s.V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: {
      containers: [
        {
          name: 'the-only-one',
          image: 'busybox',
          command: ['sh', '-x', '-c'],
          args: [`echo "FIELD=$FIELD"\nsleep ${String(spec.duration ?? 0)}\n`],
          env: [{ name: 'FIELD', value: String(spec.field ?? 'default-value') }],
        },
      ],
    },
  };

  // Make it our child: assign the namespace, name, labels, owner references, etc.
  kopf.adopt(doc as kopf.Body);

  // Actually create an object by requesting the Kubernetes API. JavaScript has no blocking HTTP client, so the
  // plain function returns the request's promise; the worker waits for it.
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  return api.createNamespacedPod({ namespace: doc.metadata!.namespace!, body: doc }).then((pod) => {
    // Update the parent's status.
    return { children: [pod.metadata?.uid] };
  });
});
