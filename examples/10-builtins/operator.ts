// Example 10: handlers for a built-in resource, Pods. Every pod in sight (created, or found when the operator
// starts) is deleted 30 s later, except in the kube-* namespaces; a pod deleted meanwhile cancels its killer.
// Async functions, as Kopf's `async def`: they run in the event loop, where the killers keep running after
// the handler returns. Tested by example.test.ts.
import * as k8s from '@kubernetes/client-node';
import * as kopf from 'kopf-ts';

const tasks: Record<string, Record<string, AbortController>> = {}; // {namespace: {name: the killer's cancel}}

async function pod_in_sight({ namespace, name, logger }: kopf.ChangingKwargs): Promise<void> {
  if (namespace!.startsWith('kube-')) {
    return;
  } else {
    const task = new AbortController();
    void pod_killer(namespace!, name!, logger, task.signal);
    tasks[namespace!] ??= {};
    tasks[namespace!]![name!] = task;
  }
}
kopf.on.resume('pods', pod_in_sight);
kopf.on.create('pods', pod_in_sight);

kopf.on.delete('pods', async function pod_deleted({ namespace, name }) {
  const task = tasks[namespace!]?.[name!];
  task?.abort(); // it will also remove from `tasks`
});

async function pod_killer(
  namespace: string,
  name: string,
  logger: kopf.ChangingKwargs['logger'],
  cancelled: AbortSignal,
  timeout = 30,
): Promise<void> {
  try {
    logger.info(`=== Pod killing happens in ${timeout}s.`);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, timeout * 1000);
      cancelled.addEventListener('abort', () => (clearTimeout(timer), reject(cancelled.reason)), {
        once: true,
      });
    });
    logger.info(`=== Pod killing happens NOW!`);

    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedPod({ namespace, name });
  } catch (err) {
    if (!cancelled.aborted) throw err;
    logger.info(`=== Pod killing is cancelled!`);
  } finally {
    if (tasks[namespace]?.[name]?.signal === cancelled) delete tasks[namespace]![name];
  }
}
