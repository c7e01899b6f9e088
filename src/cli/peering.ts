/**
 * The peering commands: `kopf-ts peering-crds [--apply]` prints (or applies) Kopf's peering CRDs and default
 * peering objects; `kopf-ts freeze` writes a peer record of a given priority and lifetime so that the operators
 * of a lower priority pause; `kopf-ts resume` removes it (Kopf's freeze/resume). Called by src/cli/main.ts.
 */
import { KubeClient } from '../kube/client.ts';
import { loadConnection } from '../kube/config.ts';
import { applyManifests } from '../kube/manifests.ts';
import { configure, configuredRootLogger } from '../observe/configure.ts';
import { touchCommand } from '../peering/commands.ts';
import { detectOwnId } from '../peering/identity.ts';
import { peeringManifest } from '../peering/manifest.ts';
import { DEV_PRIORITY } from '../peering/peering.ts';

/** Options of `kopf-ts peering-crds`. */
export interface PeeringCrdsCliOptions {
  apply?: boolean;
  kubeconfig?: string;
}

/** Prints the manifest, or applies it (server-side) to the cluster of the kubeconfig. */
export async function peeringCrdsCommand(options: PeeringCrdsCliOptions): Promise<void> {
  if (!options.apply) {
    process.stdout.write(peeringManifest());
    return;
  }
  const applied = await applyManifests(options.kubeconfig ?? '', peeringManifest(), 'default');
  for (const body of applied)
    console.log(
      `${body.kind}/${body.metadata.name}${body.metadata.namespace ? ` in ${body.metadata.namespace}` : ''} applied.`,
    );
}

/** Options of `kopf-ts freeze` and `kopf-ts resume`, as commander parses them. */
export interface FreezeCliOptions {
  id?: string;
  message?: string;
  lifetime?: string;
  priority?: string;
  dev?: boolean;
  peering?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  kubeconfig?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** `kopf-ts freeze`: our record with `--priority` (default 100; 666 with --dev) for `--lifetime` seconds. */
export async function freezeCommand(options: FreezeCliOptions): Promise<void> {
  const lifetime = integer(options.lifetime, '--lifetime');
  if (lifetime === undefined || lifetime <= 0)
    throw new Error('--lifetime SECONDS is required (a positive number of seconds).');
  const priority = options.dev ? DEV_PRIORITY : (integer(options.priority, '--priority') ?? 100);
  await touchAll(options, priority, lifetime, 'freeze');
}

/** `kopf-ts resume`: removes the record that `freeze` wrote (the same --id, by default `user@host`). */
export async function resumeCommand(options: FreezeCliOptions): Promise<void> {
  await touchAll(options, 0, 0, 'resume');
}

async function touchAll(
  options: FreezeCliOptions,
  priority: number,
  lifetime: number,
  verb: 'freeze' | 'resume',
): Promise<void> {
  if (options.allNamespaces && options.namespace?.length)
    throw new Error('Either --namespace or --all-namespaces can be used, not both.');
  configure({
    verbose: options.verbose ?? null,
    quiet: options.quiet ?? null,
    debug: null,
    logFormat: 'full',
  });
  const logger = configuredRootLogger();
  const identity = options.id ?? detectOwnId(true);
  const client = new KubeClient(loadConnection({ kubeconfig: options.kubeconfig }));
  try {
    const where = await touchCommand({
      client,
      peering: options.peering ?? 'default',
      identity,
      priority,
      lifetime,
      namespaces: options.allNamespaces ? [] : (options.namespace ?? []),
    });
    const what =
      verb === 'freeze'
        ? `Frozen as ${identity} (priority ${priority}, for ${lifetime} s${options.message ? `: ${options.message}` : ''})`
        : `Resumed: the record of ${identity} is removed`;
    logger.info(`${what} in ${where.join(', ')}.`);
  } finally {
    await client.close();
    logger.flush();
  }
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, not ${JSON.stringify(value)}.`);
  return n;
}
