/**
 * Running an operator as a ServiceAccount against the real control plane: `kopf-ts rbac` run as users run it
 * (a child process of bin/kopf-ts.js), its YAML applied, tokens minted with the TokenRequest API, a
 * kubeconfig holding only such a token, and who a token is (SelfSubjectReview). Used by test/cli/rbac.test.ts,
 * test/cli/in-cluster.test.ts and test/docs/deploying.test.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { rawRequest, type TestCluster } from './cluster.ts';

const BIN = fileURLToPath(new URL('../../bin/kopf-ts.js', import.meta.url));

/** `kopf-ts rbac <args…>` against the test cluster (admin kubeconfig); resolves with its stdout. */
export async function kopfTsRbac(cluster: TestCluster, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'rbac', ...args], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
  });
  return stdout;
}

/** The documents of a YAML stream, as plain objects. */
export function yamlDocs(text: string): any[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter(Boolean);
}

/** The YAML with `verb` removed from every Role/ClusterRole rule on `resource` (a deliberately short grant). */
export function withoutVerb(text: string, resource: string, verb: string): string {
  const docs = yamlDocs(text);
  for (const doc of docs) {
    for (const rule of (doc.rules ?? []) as { resources: string[]; verbs: string[] }[]) {
      if (rule.resources.includes(resource)) rule.verbs = rule.verbs.filter((v) => v !== verb);
    }
    if (doc.rules) doc.rules = doc.rules.filter((r: { verbs: string[] }) => r.verbs.length > 0);
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

/** Mints a token for a ServiceAccount (TokenRequest), valid for an hour. */
export async function mintToken(cluster: TestCluster, namespace: string, name: string): Promise<string> {
  const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
  const body = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  };
  const res = await rawRequest(cluster.kc, 'POST', path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.status.token as string;
}

/** The API server's URL and CA (PEM) from the test kubeconfig. */
export function serverOf(cluster: TestCluster): { server: string; ca: Buffer } {
  const current = cluster.kc.getCurrentCluster();
  if (!current) throw new Error('the test kubeconfig has no current cluster');
  const ca = current.caData ? Buffer.from(current.caData, 'base64') : readFileSync(current.caFile ?? '');
  return { server: current.server, ca };
}

/** Writes a kubeconfig with only this bearer token (and the cluster's CA). */
export function writeTokenKubeconfig(
  cluster: TestCluster,
  path: string,
  token: string,
  namespace: string,
): void {
  const { server, ca } = serverOf(cluster);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': ca.toString('base64') } }],
    users: [{ name: 'sa', user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa', namespace } }],
    'current-context': 'sa',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/** Who the API server takes this token for (a SelfSubjectReview): the username, or the HTTP status if refused. */
export async function whoIs(cluster: TestCluster, token: string): Promise<string | number> {
  const { server, ca } = serverOf(cluster);
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  return await new Promise((resolve, reject) => {
    const req = request(
      new URL('/apis/authentication.k8s.io/v1/selfsubjectreviews', server),
      {
        method: 'POST',
        ca,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          if (res.statusCode !== 201) resolve(res.statusCode ?? 0);
          else
            resolve(
              (JSON.parse(text) as { status: { userInfo: { username: string } } }).status.userInfo.username,
            );
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
