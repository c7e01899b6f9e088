// Example 12: an operator embedded into an application, as Kopf's examples/12-embedded. The operator runs in
// the application's event loop (Kopf runs it in a thread with its own loop) with `kopf.operator()`, a ready
// callback and an abort signal (Kopf's ready_flag and stop_flag), and a custom memo; the "application" creates
// and deletes objects meanwhile. Run: `node example.ts` (or `npx tsx example.ts`). Tested by example.test.ts.
//
// The handlers are plain functions as Kopf's `def`s, with `offload: false`: a plain function runs on the worker
// pool by default, and `memo` (which these handlers read) does not cross into pool threads.
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import * as kopf from 'kopf-ts';

/** Kopf's `str.format(**kwargs)`, for the templates in the memo. */
function format(template: string, kwargs: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(kwargs[key]));
}

kopf.on.create('kopfexamples', { offload: false }, function create_fn({ memo, ...kwargs }) {
  console.log(format(memo.create_tpl, kwargs));
});

kopf.on.delete('kopfexamples', { offload: false }, function delete_fn({ memo, ...kwargs }) {
  console.log(format(memo.delete_tpl, kwargs));
});

/** Where the application works (Kopf's example uses 'default'). */
const NAMESPACE = process.env['EXAMPLE_NAMESPACE'] ?? 'default';

async function kopfTask(ready: () => void, stop: AbortSignal): Promise<void> {
  kopf.configure({ verbose: true }); // log formatting

  await kopf.operator({
    namespaces: [NAMESPACE],
    standalone: true,
    onReady: ready,
    signal: stop,
    memo: new kopf.Memo({
      create_tpl: 'Hello, {name}!',
      delete_tpl: 'Good bye, {name}!',
    }),
  });
}

async function main(steps = 3): Promise<void> {
  // Start the operator and let it initialise.
  console.log('Starting the main app.');
  const stopFlag = new AbortController();
  let ready = (): void => {};
  const readyFlag = new Promise<void>((resolve) => (ready = resolve));
  const operator = kopfTask(ready, stopFlag.signal);
  await Promise.race([readyFlag, operator]);

  // The operator is active: run the app's activity.
  for (let step = 0; step < steps; step++) {
    console.log(`Do the main app activity here. Step ${step + 1}/${steps}.`);
    await createObject(step);
    await sleep(1000);
    await deleteObject(step);
    await sleep(1000);
  }

  // Ask the operator to terminate gracefully (can take a couple of seconds).
  console.log('Exiting the main app.');
  stopFlag.abort();
  await operator;
}

const api = (): k8s.CustomObjectsApi => {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return kc.makeApiClient(k8s.CustomObjectsApi);
};
const KOPFEXAMPLES = { group: 'kopf.dev', version: 'v1', plural: 'kopfexamples', namespace: NAMESPACE };

async function createObject(step: number): Promise<void> {
  try {
    await api().createNamespacedCustomObject({
      ...KOPFEXAMPLES,
      body: {
        apiVersion: 'kopf.dev/v1',
        kind: 'KopfExample',
        metadata: { namespace: NAMESPACE, name: `kopf-example-${step}` },
      },
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

async function deleteObject(step: number): Promise<void> {
  try {
    await api().deleteNamespacedCustomObject({ ...KOPFEXAMPLES, name: `kopf-example-${step}` });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

await main();
