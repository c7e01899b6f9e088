/**
 * Running an example operator (examples/NN-*\/operator.ts) against the real control plane, the way a user
 * would: `kopf-ts run --standalone -n <the test file's namespace> --verbose operator.ts` in a child process
 * (KopfRunner from kopf-ts/testing). Used by examples/NN-*\/example.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { createServer } from 'node:net';
import { KopfRunner } from '../../src/testing.ts';
import { testCluster, type TestCluster, KOPFEXAMPLES, eventually } from './cluster.ts';

export const OBJ_YAML = readFileSync(
  fileURLToPath(new URL('../../examples/obj.yaml', import.meta.url)),
  'utf8',
);

/** An example operator running against its own namespace. */
export interface RunningExample {
  cluster: TestCluster;
  runner: KopfRunner;
  namespace: string;
  /** `[namespace/name] ` as the operator's log lines prefix object messages. */
  prefix(name?: string): string;
  /** Reads a KopfExample of this namespace. */
  get(name?: string): Promise<any>;
  /** Deletes a KopfExample and waits until it is gone from the API. */
  deleteAndWaitGone(name?: string): Promise<void>;
  /** Stops the operator and the cluster handle; returns the operator's exit code. */
  close(): Promise<number | null>;
}

/** Options of {@link runExample}. */
export interface ExampleOptions {
  /** More `kopf-ts run` arguments (options, or more operator files loaded before the example's). */
  args?: string[];
  /** The log line that says the operator is up (default: its kopfexamples watch). */
  ready?: RegExp;
}

/** Starts the example's operator (path relative to the repository root) and waits until it watches. */
export async function runExample(
  testFile: string,
  operator: string,
  optionsOrArgs: ExampleOptions | string[] = {},
): Promise<RunningExample> {
  const options = Array.isArray(optionsOrArgs) ? { args: optionsOrArgs } : optionsOrArgs; // an array: the args, as before
  const cluster = await testCluster(testFile);
  const namespace = cluster.namespace;
  const path = fileURLToPath(new URL(`../../${operator}`, import.meta.url));
  const runner = new KopfRunner(
    ['run', '--standalone', '--verbose', '-n', namespace, ...(options.args ?? []), path],
    {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
      echo: process.env.KOPF_TS_TEST_ECHO === '1',
    },
  ).start();
  await runner.waitFor(options.ready ?? /Watching kopfexamples/, 60_000);
  const get = async (name = 'kopf-example-1'): Promise<any> =>
    await cluster.custom.getNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
  return {
    cluster,
    runner,
    namespace,
    prefix: (name = 'kopf-example-1') => `[${namespace}/${name}] `,
    get,
    deleteAndWaitGone: async (name = 'kopf-example-1') => {
      await cluster.custom.deleteNamespacedCustomObject({ ...KOPFEXAMPLES, namespace, name });
      await eventually(
        async () => {
          try {
            await get(name);
            return false;
          } catch (err) {
            return (err as { code?: number }).code === 404;
          }
        },
        `${name} to be gone`,
        30_000,
      );
    },
    close: async () => {
      const code = await runner.stop();
      await cluster.close();
      return code;
    },
  };
}

/** Escapes a literal for a RegExp. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/**
 * What Kopf's e2e test (tests/e2e/test_examples.py) checks of an example, as it derives it from the example's
 * handlers and its E2E_* marks. Kopf's defaults follow from the handlers; an example overrides them here.
 */
export interface KopfE2e {
  /** A non-optional on.delete: "Adding the finalizer" and "Deletion is in progress:" are logged for the object. */
  finalizer?: boolean;
  /** An on.create: "Creation is in progress:" is logged for the object. */
  creation?: boolean;
  /** Any create/update/delete handler: "Deleted, really deleted" is logged for the object. */
  deleted?: boolean;
  /** Kopf's E2E_ALLOW_TRACEBACKS: handlers throw on purpose, so stack traces may be logged. */
  allowStacks?: boolean;
  /** Kopf's E2E_SUCCESS_COUNTS: how often these handlers succeeded; without it, each that did, exactly once. */
  successes?: Record<string, number>;
  /** Kopf's E2E_FAILURE_COUNTS: how often these handlers failed for good; without it, none did. */
  failures?: Record<string, number>;
}

/**
 * Counts of the quoted names that `pattern` (with one group: the name) finds in `output`. The patterns are
 * anchored to a log line's own text: the same words inside a dumped body (a progress record's message) do not count.
 */
function namesCounted(
  output: string,
  pattern: RegExp,
  only?: Record<string, number>,
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(Object.keys(only ?? {}).map((name) => [name, 0]));
  for (const match of output.matchAll(pattern)) {
    const name = match[1]!;
    if (!only || name in only) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Kopf's e2e checks on an example's whole output (exit code and stop words are the test's own). */
export function checkKopfE2e(t: ExecutionContext, output: string, prefix: string, marks: KopfE2e): void {
  if (marks.finalizer) t.true(output.includes(`${prefix}Adding the finalizer`), 'Adding the finalizer');
  if (marks.creation)
    t.true(output.includes(`${prefix}Creation is in progress:`), 'Creation is in progress:');
  if (marks.finalizer)
    t.true(output.includes(`${prefix}Deletion is in progress:`), 'Deletion is in progress:');
  if (marks.deleted) t.true(output.includes(`${prefix}Deleted, really deleted`), 'Deleted, really deleted');
  const lines = output.split('\n');
  if (!marks.allowStacks)
    t.deepEqual(
      lines.filter((l) => /^\s+at .+:\d+:\d+\)?$/.test(l)),
      [],
      'no stack traces',
    );
  t.deepEqual(
    lines.filter((l) => /Traceback \(most recent|unhandled|uncaught/i.test(l)),
    [],
    'nothing unhandled',
  );

  const successes = namesCounted(output, /^[^{"\n]*'([^'\n]+)' succeeded/gm, marks.successes);
  if (marks.successes) t.deepEqual(successes, marks.successes, 'success counts');
  else
    t.deepEqual(
      [...new Set(Object.values(successes))],
      [1],
      `each handler succeeded once: ${JSON.stringify(successes)}`,
    );

  const failures = namesCounted(
    output,
    /^[^{"\n]*'([^'\n]+)' failed (?:permanently|with an exception and will stop)/gm,
    marks.failures,
  );
  t.deepEqual(failures, marks.failures ?? {}, 'failure counts');
}

/** Waits (bounded) until a started `kopf-ts` exits by itself (a start that fails); its exit code and output. */
export async function untilExit(
  op: KopfRunner,
): Promise<{ code: number | null | undefined; output: string }> {
  try {
    await eventually(() => op.exitCode !== undefined, `kopf-ts to exit; output:\n${op.output}`, 30_000);
  } finally {
    await op.stop();
  }
  return { code: op.exitCode, output: op.output };
}

/**
 * Holds a loopback port while `kopf-ts` starts with the options `args(port)` name it in (through `exits`,
 * e.g. a test's wrapper of {@link untilExit}): it must exit with 1 saying `${what} cannot listen on
 * 127.0.0.1:PORT: … EADDRINUSE`.
 */
export async function assertTakenPortFails(
  t: ExecutionContext,
  exits: (args: string[]) => Promise<{ code: number | null | undefined; output: string }>,
  args: (port: number) => string[],
  what: string,
): Promise<void> {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const { code, output } = await exits(args(port));
    t.is(code, 1, output);
    t.regex(output, new RegExp(`kopf-ts: ${what} cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  } finally {
    taken.close();
  }
}
