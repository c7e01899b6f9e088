// Example 99: everything at once: startup handlers (one retried), a cleanup handler, several create handlers
// (posting Events, failing once to be retried, blocking a thread for a second, creating an adopted and
// labelled Pod), an update handler with the diff, a field handler, a delete handler, and an event handler on
// the Pods it created. Plain functions, as Kopf's `def` (they run on the worker pool); async ones, as Kopf's
// `async def` (in the event loop). Tested by example.test.ts.
import * as k8s from '@kubernetes/client-node';
import * as kopf from 'kopf-ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

kopf.on.startup(async function startup_fn_simple({ logger }) {
  logger.info('Starting in 1s...');
  await sleep(1000);
});

kopf.on.startup(async function startup_fn_retried({ retry, logger }) {
  if (retry < 3) {
    throw new kopf.TemporaryError(`Going to succeed in ${3 - retry}s`, { delay: 1 });
  } else {
    logger.info('Starting retried...');
    // throw new kopf.PermanentError('Unable to start!');
  }
});

kopf.on.cleanup(async function cleanup_fn({ logger }) {
  logger.info('Cleaning up in 3s...');
  await sleep(3000);
});

kopf.on.create('kopfexamples', function create_1({ body }) {
  const children = _create_children(body);

  kopf.info(body, { reason: 'AnyReason' });
  kopf.event(body, { type: 'Warning', reason: 'SomeReason', message: 'Cannot do something' });
  kopf.event(children, { type: 'Normal', reason: 'SomeReason', message: 'Created as part of the job1step' });

  return { 'job1-status': 100 };
});

kopf.on.create('kopfexamples', function create_2({ retry }) {
  wait_for_something(); // specific for job2, e.g. an external API poller

  if (!retry) {
    // will be retried by the framework, even if it has been restarted
    throw new Error('Whoops!');
  }

  return { 'job2-status': 100 };
});

kopf.on.update('kopfexamples', function update({ diff }) {
  console.log('Handling the diff');
  console.log(diff);
});

kopf.on.field('kopfexamples', { field: 'spec.lst' }, function update_lst({ old, new: value }) {
  console.log(`Handling the FIELD = ${JSON.stringify(old)} -> ${JSON.stringify(value)}`);
});

// `delete` is a reserved word in JavaScript: the function has another name, the handler Kopf's id.
kopf.on.delete('kopfexamples', { id: 'delete' }, function delete_() {});

function _create_children(owner: kopf.Body): kopf.Body[] {
  void owner;
  return [];
}

function wait_for_something(): void {
  // Note: intentionally blocking, as Kopf's time.sleep(1): harmless on a worker thread of the pool.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

kopf.on.create('kopfexamples', function create_pod() {
  // Render the pod with some spec fields used in the template.
  const pod_data: k8s.V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: {
      containers: [{ name: 'the-only-one', image: 'busybox', command: ['sh', '-x', '-c', 'sleep 1'] }],
    },
  };

  // Make it our child: assign the namespace, name, labels, owner references, etc.
  kopf.adopt(pod_data as kopf.Body);
  kopf.label(pod_data as kopf.Body, { application: 'kopf-example-10' });

  // Actually create an object by requesting the Kubernetes API. JavaScript has no blocking HTTP client, so the
  // plain function returns the request's promise; the worker waits for it.
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  return api
    .createNamespacedPod({ namespace: pod_data.metadata!.namespace!, body: pod_data })
    .then(() => undefined);
});

kopf.on.event(
  'pods',
  { labels: { application: 'kopf-example-10' } },
  function example_pod_change({ logger }) {
    logger.info('This pod is special for us.');
  },
);
