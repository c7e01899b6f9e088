/**
 * Managed webhook configurations (`settings.admission.managed = 'NAME'`): the `ValidatingWebhookConfiguration`
 * and `MutatingWebhookConfiguration` named NAME, created if absent (a 409 means it exists: never duplicated)
 * and then merge-patched with the whole `webhooks` list, one webhook per handler, each time the server
 * announces a client config; on a clean exit only the `persistent` handlers' webhooks are kept. As Kopf's
 * configuration managers; the webhooks are built by {@link buildWebhooks} (pure). Called by admission.ts.
 */
import type { Resource } from '../model/resource.ts';
import type { WebhookClientConfig } from '../model/reviews.ts';
import { ABSENT, PRESENT } from '../handlers/filters.ts';
import type { WebhookHandler, WebhookReason } from '../handlers/handler.ts';
import { matchesResource } from '../handlers/selector.ts';
import type { KubeClient } from '../kube/client.ts';
import { ApiConflictError, ApiForbiddenError } from '../kube/errors.ts';

const GROUP_PATH = '/apis/admissionregistration.k8s.io/v1';

/** The configuration resource and kind of each reason. */
const CONFIGURATIONS: Record<WebhookReason, { plural: string; kind: string }> = {
  validating: { plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration' },
  mutating: { plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration' },
};

/** Options of {@link buildWebhooks}. */
export interface BuildOptions {
  /** `settings.admission.managed`: the suffix of every webhook's name. */
  managed: string;
  clientConfig: WebhookClientConfig;
  timeoutSeconds: number;
  /** Only the persistent handlers (what stays after a clean exit). */
  persistentOnly?: boolean;
  /**
   * The namespaces the operator serves (`-n`, plain names), or null for the whole cluster: the webhooks' own
   * `namespaceSelector`, so an operator serving some namespaces is not asked about, nor blocks, the others.
   */
  namespaces?: readonly string[] | null;
}

/** A webhook's name: the handler id made a DNS name (`/`→`.`, `_`→`-`, other characters hex-coded), then `.managed`. */
export function webhookName(id: string, managed: string): string {
  const base = id
    .replace(/\//g, '.')
    .replace(/_/g, '-')
    .replace(/[^a-zA-Z0-9.-]/g, (c) =>
      [...Buffer.from(c, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(''),
    )
    .toLowerCase();
  return `${base}.${managed}`;
}

/** The client config of one handler: the handler id appended to the URL (or the service's path), URL-quoted. */
function handlerClientConfig(config: WebhookClientConfig, id: string): WebhookClientConfig {
  const quoted = encodeURIComponent(id).replace(/%2F/gi, '/');
  const out: WebhookClientConfig = { ...config };
  if (config.url !== undefined) out.url = `${config.url.replace(/\/+$/, '')}/${quoted}`;
  if (config.service)
    out.service = { ...config.service, path: `${(config.service.path ?? '').replace(/\/+$/, '')}/${quoted}` };
  return out;
}

/** The `objectSelector` from a handler's `labels` filter (values as `In`, PRESENT/ABSENT as Exists/DoesNotExist; callbacks skipped). */
function objectSelector(handler: WebhookHandler): Record<string, unknown> | null {
  const expressions: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(handler.filters.labels ?? {})) {
    if (value === PRESENT) expressions.push({ key, operator: 'Exists' });
    else if (value === ABSENT) expressions.push({ key, operator: 'DoesNotExist' });
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      expressions.push({ key, operator: 'In', values: [String(value)] });
  }
  return expressions.length > 0 ? { matchExpressions: expressions } : null;
}

/** The `webhooks` of one configuration: one per handler, with its rules for the served resources. */
export function buildWebhooks(
  handlers: readonly WebhookHandler[],
  resources: readonly Resource[],
  options: BuildOptions,
): Record<string, unknown>[] {
  return handlers
    .filter((h) => !options.persistentOnly || h.persistent)
    .map((h) => {
      const rules = resources
        .filter((r) => matchesResource(h.selector, r))
        .map((r) => ({
          apiGroups: [r.group],
          apiVersions: [r.version],
          resources: [h.subresource ? `${r.plural}/${h.subresource}` : r.plural],
          operations: h.operations ? [...h.operations] : ['*'],
          scope: '*',
        }));
      const selector = objectSelector(h);
      return {
        name: webhookName(h.id, options.managed),
        sideEffects: h.sideEffects ? 'NoneOnDryRun' : 'None',
        failurePolicy: h.ignoreFailures ? 'Ignore' : 'Fail',
        matchPolicy: 'Equivalent',
        rules,
        ...(selector ? { objectSelector: selector } : {}),
        ...(options.namespaces?.length
          ? {
              namespaceSelector: {
                matchExpressions: [
                  {
                    key: 'kubernetes.io/metadata.name',
                    operator: 'In',
                    values: [...options.namespaces].sort(),
                  },
                ],
              },
            }
          : {}),
        clientConfig: handlerClientConfig(options.clientConfig, h.id),
        timeoutSeconds: options.timeoutSeconds,
        admissionReviewVersions: ['v1'],
      };
    });
}

/** Creates the configuration of `reason` named `name` if absent (409: it exists, fine). */
export async function ensureConfiguration(
  client: KubeClient,
  reason: WebhookReason,
  name: string,
): Promise<void> {
  const { plural, kind } = CONFIGURATIONS[reason];
  try {
    await client.request({
      method: 'POST',
      path: `${GROUP_PATH}/${plural}`,
      body: { apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name } },
      verb: 'create',
      resource: plural,
    });
  } catch (err) {
    if (err instanceof ApiConflictError) return;
    if (err instanceof ApiForbiddenError)
      throw new Error(
        `Not enough RBAC permissions to create the ${kind} ${JSON.stringify(name)}: ${err.message}`,
        { cause: err },
      );
    throw err;
  }
}

/** Replaces the configuration's webhooks (a merge patch of the whole list). */
export async function patchWebhooks(
  client: KubeClient,
  reason: WebhookReason,
  name: string,
  webhooks: readonly Record<string, unknown>[],
): Promise<void> {
  const { plural } = CONFIGURATIONS[reason];
  await client.request({
    method: 'PATCH',
    path: `${GROUP_PATH}/${plural}/${encodeURIComponent(name)}`,
    body: { webhooks },
    contentType: 'application/merge-patch+json',
    verb: 'patch',
    resource: plural,
  });
}
