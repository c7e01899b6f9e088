// Example 14: daemons. A sync daemon (a plain function: it runs on the worker pool) fails three times, then
// pings every 5 s until `stopped` is set (it must check the flag: a thread cannot be interrupted). An async
// daemon fails three times, then pings forever; on deletion it is signalled, cancelled after 1 s (its
// `signal` aborts, which ends its sleep) and would be abandoned 0.5 s later. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

kopf.daemon('kopfexamples', { backoff: 3 }, function background_sync({ spec, stopped, logger, retry, patch }) {
  if (retry < 3) {
    patch.status.message = `Failed ${retry + 1} times.`;
    throw new kopf.TemporaryError('Simulated failure.', { delay: 1 });
  }
  const started = Date.now();
  while (!stopped.isSet() && Date.now() - started <= 30_000) {
    logger.info(`=> Ping from a sync daemon: field=${JSON.stringify(spec.field)}, retry=${retry}`);
    stopped.wait(5);
  }
  patch.status.message = 'Accompanying is finished.';
});

kopf.daemon(
  'kopfexamples',
  { backoff: 3, cancellationBackoff: 1, cancellationTimeout: 0.5, annotations: { someannotation: 'somevalue' } },
  // Annotated as an async daemon's kwargs: `signal` is then always there (a plain function on the pool has none).
  async function background_async({ spec, logger, retry, signal }: kopf.AsyncDaemonKwargs) {
    if (retry < 3) throw new kopf.TemporaryError('Simulated failure.', { delay: 1 });
    for (;;) {
      logger.info(`=> Ping from an async daemon: field=${JSON.stringify(spec.field)}`);
      // Kopf cancels an async daemon's task; here the daemon's `signal` aborts, and the sleep rejects.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 5000);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      });
    }
  },
);
