// Example 13: operator hooks. Startup handlers (one succeeds at once, one after three temporary failures), a
// cleanup handler that stops the background tasks, an event handler on pods that starts one background task
// per pod, and two probes whose results the liveness endpoint serves (`kopf-ts run --liveness
// http://0.0.0.0:8080/healthz`). Kopf's example also has a login handler (`kopf.on.login`): it is left out
// until kopf-ts has `on.login`; the credentials come from the kubeconfig. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

/** One stop flag per pod's background task: [namespace][name]. */
const STOPPERS = new Map<string, Map<string, { set: boolean }>>();

kopf.on.startup(async function startup_fn_simple({ logger }) {
  // Kopf creates an asyncio.Lock here; one event loop needs none (nothing awaits between check and set below).
  logger.info('Initialising the task-lock...');
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
  logger.info('Cleaning up...');
  for (const flags of STOPPERS.values()) for (const flag of flags.values()) flag.set = true;
  logger.info('All pod-tasks are requested to stop...');
});

kopf.on.probe(async function tasks_count() {
  let count = 0;
  for (const flags of STOPPERS.values()) count += flags.size;
  return count;
});

kopf.on.probe(async function monitored_objects() {
  const out: Record<string, string[]> = {};
  for (const [namespace, flags] of STOPPERS) out[namespace] = [...flags.keys()].sort();
  return out;
});

kopf.on.event('pods', async function pod_task({ namespace, name, logger }) {
  if (namespace === null || name === null) return;
  const flags = STOPPERS.get(namespace) ?? new Map<string, { set: boolean }>();
  STOPPERS.set(namespace, flags);
  if (!flags.has(name)) {
    const flag = { set: false };
    flags.set(name, flag);
    void taskFn(logger, flag);
  }
});

async function taskFn(logger: kopf.Logger, shouldstop: { set: boolean }): Promise<void> {
  while (!shouldstop.set) {
    await new Promise((resolve) => setTimeout(resolve, (1 + Math.floor(Math.random() * 10)) * 1000).unref());
    logger.info('Served by the background task.');
  }
  logger.info('Serving is finished by request.');
}
