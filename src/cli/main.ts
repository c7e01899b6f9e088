/**
 * The `kopf-ts` command line: parses arguments with commander and dispatches to the sub-commands.
 * Started by bin/kopf-ts.js. Each sub-command's module is imported when it runs (issue 16): `kopf-ts run`
 * must not load the statechart renderer (elkjs), the local control plane or the RBAC generator.
 */
import { Command, Option } from 'commander';
import { OperatorFileError } from '../execution/operator-files.ts';
import type { DevCliOptions } from './dev.ts';
import type { RunCliOptions } from './run.ts';
import type { RbacCliOptions } from './rbac.ts';
import type { FreezeCliOptions, PeeringCrdsCliOptions } from './peering.ts';

const program = new Command('kopf-ts').description('Kubernetes operators in TypeScript, the Kopf way.');

const cluster = program
  .command('cluster')
  .description('a real local control plane (kube-apiserver + etcd) for development');
const NAME_HELP = 'which local control plane (several can run at once, each under its own name)';
cluster
  .command('up')
  .description('start it, print the kubeconfig, run until Ctrl-C')
  .option('--name <name>', NAME_HELP, 'default')
  .option(
    '--kubeconfig <file>',
    'where to write the kubeconfig: a file that does not exist yet (default ~/.cache/kopf-ts/kubeconfig[-NAME])',
  )
  .option(
    '--feature-gates <gates>',
    'kube-apiserver feature gates to enable, comma-separated (e.g. ShardedListAndWatch: server-side sharding for `run --shards`)',
    (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)],
  )
  .action(async (options: { name?: string; kubeconfig?: string; featureGates?: string[] }) => (await import('./cluster.ts')).clusterUp(options));
cluster
  .command('down')
  .description('stop a running `cluster up` (only the one of that name)')
  .option('--name <name>', NAME_HELP, 'default')
  .action(async (options: { name?: string }) => (await import('./cluster.ts')).clusterDown(options));
cluster
  .command('list')
  .alias('status')
  .description('show the running local control planes')
  .option('--json', 'as JSON (name, pid, server, kubeconfigPath, pids, …)')
  .action(async (options: { json?: boolean }) => (await import('./cluster.ts')).clusterList(options));
cluster
  .command('build')
  .description('find or build the control-plane binaries')
  .action(async () => (await import('./cluster.ts')).clusterBuild());

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
// Options that `run` and `dev` share.
const logFormatOption = (): Option =>
  new Option('--log-format <format>', 'the log lines: plain text, full text with the time and level, or JSON')
    .choices(['plain', 'full', 'json'])
    .default('full');
const DEVTOOLS_HELP =
  'serve the live devtools page (default 127.0.0.1 and a free port; the URL with its token is logged)';
const DEVTOOLS_REMOTE_HELP = 'allow --devtools on a non-loopback address';
program
  .command('run')
  .description('run an operator: load the files (each registers handlers) and serve until SIGINT/SIGTERM')
  .argument('[paths...]', 'operator files (.ts or .js)')
  .option('-m, --module <module>', 'an operator module to import (repeatable)', collect)
  .option('-n, --namespace <pattern>', "namespaces to serve: globs, '!' excludes (repeatable)", collect)
  .option('-A, --all-namespaces', 'serve the whole cluster')
  .option('--standalone', 'do not peer with other operators, even if the peering CRD exists')
  .addOption(
    new Option('-P, --peering <name>', 'the peering object to use; makes peering mandatory (default: "default" if the CRD exists)').env(
      'KOPF_RUN_PEERING',
    ),
  )
  .option('-p, --priority <n>', 'our priority among the peers: lower ones pause (default 0)')
  .option('--dev', 'development mode: priority 666, so that the deployed operators pause')
  .option('--shards <count>', 'share the objects with other replicas by this many Lease-held shards (1: leader election)')
  .option('-v, --verbose', 'debug logging')
  .option('-d, --debug', 'debug logging')
  .option('-q, --quiet', 'warnings and errors only')
  .addOption(logFormatOption())
  .option('--kubeconfig <file>', 'a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--devtools [host:port]', DEVTOOLS_HELP)
  .option('--devtools-allow-remote', DEVTOOLS_REMOTE_HELP)
  .option(
    '-L, --liveness <url>',
    "serve the probes' results and the operator's health at http://HOST:PORT/PATH (e.g. http://0.0.0.0:8080/healthz)",
  )
  .option(
    '--metrics <host:port>',
    'serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 0.0.0.0:9090; the same address as --liveness shares its server)',
  )
  .option(
    '--inspect-stately <url>',
    "send the actors' XState inspection events to a Stately inspector (ws://…)",
  )
  .action(async (paths: string[], options: RunCliOptions) => (await import('./run.ts')).runCommand(paths, options));

const peeringTarget = (command: Command, env: string): Command =>
  command
    .option('-n, --namespace <pattern>', 'the KopfPeering in these namespaces (repeatable; globs)', collect)
    .option('-A, --all-namespaces', 'the ClusterKopfPeering (the default when no -n is given)')
    .option('-i, --id <id>', 'the identity of the record (default: user@host)')
    .addOption(new Option('-P, --peering <name>', 'the peering object').default('default').env(env))
    .option('--kubeconfig <file>', 'a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-v, --verbose', 'debug logging')
    .option('-q, --quiet', 'warnings and errors only');
peeringTarget(
  program
    .command('freeze')
    .description("pause the operators of a lower priority on a peering (Kopf's freeze): write a peer record for --lifetime seconds")
    .requiredOption('-t, --lifetime <seconds>', 'how long the freeze lasts unless resumed')
    .option('-p, --priority <n>', 'the priority of the record', '100')
    .option('--dev', 'priority 666')
    .option('-m, --message <message>', 'why (logged)'),
  'KOPF_FREEZE_PEERING',
).action(async (options: FreezeCliOptions) => (await import('./peering.ts')).freezeCommand(options));
peeringTarget(
  program.command('resume').description('remove the record of `kopf-ts freeze` (the same --id): the paused operators resume'),
  'KOPF_RESUME_PEERING',
).action(async (options: FreezeCliOptions) => (await import('./peering.ts')).resumeCommand(options));
program
  .command('peering-crds')
  .description("print Kopf's peering CRDs (KopfPeering, ClusterKopfPeering of kopf.dev/v1) and default peering objects, or apply them")
  .option('--apply', 'apply them to the cluster (server-side) instead of printing')
  .option('--kubeconfig <file>', 'a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .action(async (options: PeeringCrdsCliOptions) => (await import('./peering.ts')).peeringCrdsCommand(options));

program
  .command('dev')
  .description(
    "the developer's loop: use the control plane of `kopf-ts cluster up` (else start one for this session), " +
      'apply the manifests, run the operator on one namespace until Ctrl-C',
  )
  .argument('[paths...]', 'operator files (.ts or .js)')
  .option('-m, --module <module>', 'an operator module to import (repeatable)', collect)
  .option(
    '--apply <file>',
    'a YAML manifest to apply before the operator starts (repeatable; CRDs are waited for)',
    collect,
  )
  .option('-n, --namespace <ns>', 'the namespace to apply into and to serve', 'default')
  .option('--name <name>', 'which `kopf-ts cluster up` to use when it runs', 'default')
  .option('-v, --verbose', 'debug logging')
  .option('-q, --quiet', 'warnings and errors only')
  .addOption(logFormatOption())
  .option('--devtools [host:port]', DEVTOOLS_HELP)
  .option('--devtools-allow-remote', DEVTOOLS_REMOTE_HELP)
  .action(async (paths: string[], options: DevCliOptions) => (await import('./dev.ts')).devCommand(paths, options));

program
  .command('init')
  .description(
    'scaffold an operator project into DIR: package.json, handlers.ts, a CRD and an object, a test, Dockerfile, RBAC',
  )
  .argument('<dir>', 'the directory to create (or an empty one)')
  .option('--force', 'write into a non-empty directory (files of the same names are overwritten)')
  .action(async (dir: string, options: { force?: boolean }) => (await import('./init.ts')).initCommand(dir, options));

program
  .command('rbac')
  .description(
    "print the least-privilege ServiceAccount, (Cluster)Role and binding for the operator's handlers (YAML); " +
      'resolves the selectors against the cluster (discovery) as `run` does, so it connects with the kubeconfig',
  )
  .argument('[paths...]', 'operator files (.ts or .js)')
  .option('-m, --module <module>', 'an operator module to import (repeatable)', collect)
  .option(
    '-n, --namespace <pattern>',
    'the namespaces the operator will serve (repeatable; plain names get a Role each)',
    collect,
  )
  .option('-A, --all-namespaces', 'the operator will serve the whole cluster (one ClusterRole)')
  .option('--name <name>', 'name of the ServiceAccount, roles and bindings', 'kopf-ts-operator')
  .option(
    '--service-account-namespace <ns>',
    "the ServiceAccount's namespace (default: the first -n name, else default)",
  )
  .option(
    '--kubeconfig <file>',
    'the cluster to resolve the selectors in (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
  )
  .option('--peering', "add the rules of Kopf's peering (kopfpeerings / clusterkopfpeerings of kopf.dev)")
  .option('--shards', 'add the rules of sharding (`run --shards`): Leases in the ServiceAccount namespace')
  .action(async (paths: string[], options: RbacCliOptions) => (await import('./rbac.ts')).rbacCommand(paths, options));

program
  .command('machines')
  .description('render the statecharts of machines/ (the object lifecycle, …) as mermaid, dot, json or svg')
  .option('--format <format>', 'mermaid | dot | json | svg', 'mermaid')
  .option('--out <dir>', 'write one file per machine into this directory instead of printing')
  .option(
    '--update-docs <dir>',
    "regenerate <dir>/machines.md's diagrams and <dir>/machines/*.svg (npm run docs:machines)",
  )
  .action(async (options: { format?: string; out?: string; updateDocs?: string }) =>
    (await import('./machines.ts')).machinesCommand(options),
  );

program
  .command('demo')
  .description('bring up the local control plane, apply the example CRD and object, run examples/01-minimal')
  .option('--keep', 'keep running after the object was handled (until Ctrl-C)')
  .action(async (options: { keep?: boolean }) => (await import('./demo.ts')).demo(options));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`kopf-ts: ${err instanceof Error ? err.message : String(err)}`);
  // An operator file that threw while loading: its stack shows where.
  if (err instanceof OperatorFileError && err.cause instanceof Error && err.cause.stack)
    console.error(err.cause.stack);
  process.exit(1);
}
