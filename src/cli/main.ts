/**
 * The `kopf-ts` command line: parses arguments with commander and dispatches to the sub-commands.
 * Started by bin/kopf-ts.js.
 */
import { Command } from 'commander';
import { clusterBuild, clusterDown, clusterUp } from './cluster.ts';
import { demo } from './demo.ts';

const program = new Command('kopf-ts').description('Kubernetes operators in TypeScript, the Kopf way.');

const cluster = program.command('cluster').description('a real local control plane (kube-apiserver + etcd) for development');
cluster
  .command('up')
  .description('start it, print the kubeconfig, run until Ctrl-C')
  .option('--kubeconfig <file>', 'where to write the kubeconfig')
  .action(async (options: { kubeconfig?: string }) => clusterUp(options));
cluster.command('down').description('stop a running `cluster up`').action(async () => clusterDown());
cluster.command('build').description('find or build the control-plane binaries').action(async () => clusterBuild());

program
  .command('demo')
  .description('bring up the local control plane, apply the example CRD and object, run examples/01-minimal')
  .option('--keep', 'keep running after the object was handled (until Ctrl-C)')
  .action(async (options: { keep?: boolean }) => demo(options));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`kopf-ts: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
