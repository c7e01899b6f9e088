/**
 * `kopf-ts run FILE... [-m MODULE]... [-n NS]... [-A] [--standalone] [-P NAME] [-p N] [--dev] [--shards S] [-v|-d|-q]
 * [--log-format F] [--devtools [HOST:PORT]] [--devtools-allow-remote] [--inspect-stately URL] [-L URL] [--metrics HOST:PORT]`: loads the operator's files
 * (TypeScript or JavaScript; each registers handlers on import) and runs the operator until SIGINT/SIGTERM,
 * with the devtools page and/or Stately's inspector attached when asked. Settings may come as JSON in
 * `$KOPF_TS_SETTINGS` (KopfRunner's `settings`); after the cleanup handlers `kopf-ts run` waits, bounded, for what
 * handlers left running (src/cli/hung-tasks.ts). `runCommand` is called by src/cli/main.ts; `serveOperator` (the
 * same run, returning instead of exiting) by src/cli/dev.ts.
 */
import { existsSync } from 'node:fs';
import { runOperator } from '../engine/operator.ts';
import { loadOperatorFiles } from '../execution/operator-files.ts';
import { parseLivenessEndpoint } from '../observe/liveness-endpoint.ts';
import { parseMetricsEndpoint } from '../observe/metrics-endpoint.ts';
import type { LogFormat } from '../observe/log.ts';
import { configure, configuredRootLogger } from '../observe/configure.ts';
import { defaultSettings, type OperatorSettings } from '../model/settings.ts';
import { mergeSettings, SETTINGS_ENV } from '../model/settings-merge.ts';
import { activeResources, waitForHungTasks } from './hung-tasks.ts';
import { DEV_PRIORITY } from '../peering/peering.ts';
import type { Devtools } from '../devtools/index.ts';
import type { ObjectActorOptions } from '../engine/object-actor.ts';

/** The options of `kopf-ts run`, as commander parses them. */
export interface RunCliOptions {
  module?: string[];
  namespace?: string[];
  allNamespaces?: boolean;
  standalone?: boolean;
  /** `-P/--peering NAME`: the peering object; makes peering mandatory. */
  peering?: string;
  /** `-p/--priority N` (a string as commander gives it). */
  priority?: string;
  /** `--dev`: priority 666. */
  dev?: boolean;
  /** `--shards S` (a string as commander gives it). */
  shards?: string;
  verbose?: boolean;
  debug?: boolean;
  quiet?: boolean;
  logFormat?: LogFormat;
  kubeconfig?: string;
  /** `--devtools` alone (true) or with HOST:PORT. */
  devtools?: string | boolean;
  devtoolsAllowRemote?: boolean;
  /** A Stately WebSocket inspector to send the actors' inspection events to. */
  inspectStately?: string;
  /** `-L/--liveness http://HOST:PORT/PATH` (docs/probes.md). */
  liveness?: string;
  /** `--metrics HOST:PORT` (docs/metrics.md). */
  metrics?: string;
}

/** Imports the operator files and modules, runs the operator until a signal stops it, then exits the process. */
export async function runCommand(paths: string[], options: RunCliOptions): Promise<void> {
  await serveOperator(paths, options);
  // Handlers still running after the exit timeout are abandoned (their changes are not recorded and they run
  // again after a restart): exit now rather than wait for them.
  process.exit(0);
}

/**
 * What `kopf-ts run` does, without exiting: imports the operator files and modules, then runs the operator
 * until SIGINT/SIGTERM (or `stopped`, when given, is aborted) and resolves once it has stopped.
 */
export async function serveOperator(
  paths: string[],
  options: RunCliOptions,
  stopped?: AbortSignal,
): Promise<void> {
  // `--devtools` takes an optional address, so `run --devtools handlers.ts` hands it the file: give it back.
  if (
    typeof options.devtools === 'string' &&
    (existsSync(options.devtools) || /\.[cm]?[jt]s$/.test(options.devtools))
  ) {
    paths = [options.devtools, ...paths];
    options = { ...options, devtools: true };
  }
  if (options.allNamespaces && options.namespace?.length) {
    throw new Error('Either --namespace or --all-namespaces can be used, not both.');
  }
  const priority = options.dev ? DEV_PRIORITY : options.priority === undefined ? undefined : Number(options.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new Error(`--priority must be an integer, not ${JSON.stringify(options.priority)}.`);
  const shards = options.shards === undefined ? undefined : Number(options.shards);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1)) throw new Error(`--shards must be a positive integer, not ${JSON.stringify(options.shards)}.`);
  // A bad --liveness fails before the operator's files are even loaded.
  if (options.liveness !== undefined) parseLivenessEndpoint(options.liveness);
  if (options.metrics !== undefined) parseMetricsEndpoint(options.metrics);
  configure({
    debug: options.debug ?? null,
    verbose: options.verbose ?? null,
    quiet: options.quiet ?? null,
    logFormat: options.logFormat ?? 'full',
  });
  const logger = configuredRootLogger();
  // What the CLI itself keeps open (stdio): the exit waits only for more than this (src/cli/hung-tasks.ts).
  void process.stdout;
  const baseline = activeResources();
  const settings = settingsFromEnv();
  const envNamespaces = (process.env.KOPF_RUN_NAMESPACE ?? '').split(',').filter(Boolean);
  const namespaces = [...(options.namespace ?? []), ...envNamespaces];
  const moduleUrls = await loadOperatorFiles(
    paths,
    options.module ?? [],
    'kopf-ts run handlers.ts, or -m MODULE',
  );
  if (!options.allNamespaces && namespaces.length === 0) {
    logger.warn(
      'No namespaces (-n) and no --all-namespaces (-A) given: serving the whole cluster. Pass -A to silence this.',
    );
  }

  // Checked (and the port bound) before anything runs: a refused address fails at once.
  // The devtools (their server, page and layout engine) are imported only when asked for (issue 16: a lean process).
  let devtools: Devtools | null = null;
  if (options.devtools) {
    const { startDevtools } = await import('../devtools/index.ts');
    devtools = await startDevtools({
      address: options.devtools,
      allowRemote: options.devtoolsAllowRemote ?? false,
    });
    // Printed even with -q: without the URL (and its token) the page cannot be opened.
    (options.quiet ? logger.warn : logger.info).call(logger, `Devtools: ${devtools.url}`);
  }
  const stately = options.inspectStately
    ? (await import('../devtools/stately.ts')).statelyInspector(options.inspectStately)
    : null;
  if (stately)
    logger.info(
      `Sending the actors' inspection events to the Stately inspector at ${options.inspectStately}.`,
    );
  const inspect: ObjectActorOptions['inspect'] | undefined =
    devtools || stately ? (await import('../devtools/stately.ts')).fanOut(devtools?.inspect, stately?.inspect) : undefined;

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      logger.warn(`${signal} again: exiting at once.`);
      process.exit(1);
    }
    logger.info(`Signal ${signal} is received. Operator is stopping.`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const onStopped = (): void => stop.abort();
  if (stopped?.aborted) stop.abort();
  stopped?.addEventListener('abort', onStopped, { once: true });
  let abandoned = 0;
  try {
    await runOperator({
      logger,
      settings,
      namespaces,
      clusterwide: options.allNamespaces === true || namespaces.length === 0,
      ...(options.standalone ? { standalone: true } : {}),
      ...(options.peering !== undefined ? { peeringName: options.peering } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(shards !== undefined ? { shards } : {}),
      moduleUrls,
      signal: stop.signal,
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(inspect ? { inspect } : {}),
      ...(devtools ? { timeline: devtools.timeline } : {}),
      ...(options.liveness !== undefined ? { livenessEndpoint: options.liveness } : {}),
      ...(options.metrics !== undefined ? { metricsEndpoint: options.metrics } : {}),
      onStopping: (summary) => (abandoned = summary.abandoned),
    });
  } finally {
    stately?.stop();
    await devtools?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stopped?.removeEventListener('abort', onStopped);
  }
  // What handlers started and left running gets settings.process.hungTasksTimeout; then it is abandoned. Not
  // when handlers were abandoned at the exit timeout: what they left running is theirs, and the exit was asked for.
  if (abandoned === 0) await waitForHungTasks(baseline, settings.process.hungTasksTimeout, logger);
  logger.flush();
}

/** Default settings with `$KOPF_TS_SETTINGS` (JSON, any subset of the settings tree) merged in, strictly. */
function settingsFromEnv(): OperatorSettings {
  const settings = defaultSettings();
  const text = process.env[SETTINGS_ENV];
  if (!text) return settings;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${SETTINGS_ENV} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  mergeSettings(settings, data, SETTINGS_ENV);
  return settings;
}
