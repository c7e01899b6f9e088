// Kopf's examples/17-admission, ported: validating and mutating admission handlers, served over HTTPS to the
// API server by the webhook server configured in the startup handler. Run it with:
//   kopf-ts run --standalone -n NAMESPACE examples/17-admission/operator.ts
// Each assignment below replaces the previous one, as in Kopf's example; the last one (WebhookAutoServer, with
// managed configurations) is what runs. Constructing a server reads no files and starts nothing.
import { fileURLToPath } from 'node:url';
import * as kopf from 'kopf-ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

kopf.on.startup(function config({ settings }) {
  // Plain and simple local endpoint with an auto-generated certificate:
  settings.admission.server = new kopf.WebhookServer();

  // Plain and simple local endpoint with with provided certificate (e.g. openssl):
  settings.admission.server = new kopf.WebhookServer({
    certfile: `${ROOT}cert.pem`,
    pkeyfile: `${ROOT}key.pem`,
    port: 1234,
  });

  // K3d/K3s-specific server that supports accessing from inside of a VM (a generated certificate):
  settings.admission.server = new kopf.WebhookK3dServer({ cadump: `${ROOT}ca.pem` });

  // K3d/K3s-specific server that supports accessing from inside of a VM (a provided certificate):
  settings.admission.server = new kopf.WebhookK3dServer({
    certfile: `${ROOT}k3d-cert.pem`,
    pkeyfile: `${ROOT}k3d-key.pem`,
    port: 1234,
  });

  // Minikube-specific server that supports accessing from inside of a VM (a generated certificate):
  settings.admission.server = new kopf.WebhookMinikubeServer({ port: 1234, cadump: `${ROOT}ca.pem` });

  // Tunneling Kubernetes->ngrok->local server (anonymous, auto-loaded binary):
  settings.admission.server = new kopf.WebhookNgrokTunnel({ path: '/xyz', port: 1234 });

  // Tunneling Kubernetes->ngrok->local server (registered users, pre-existing binary):
  settings.admission.server = new kopf.WebhookNgrokTunnel({ binary: '/usr/local/bin/ngrok', token: '...' });

  // Tunneling Kubernetes->ngrok->local server (registered users, pre-existing binary, specific region):
  settings.admission.server = new kopf.WebhookNgrokTunnel({ binary: '/usr/local/bin/ngrok', region: 'eu' });

  // Auto-detect the best server (K3d/Minikube/simple) strictly locally:
  settings.admission.server = new kopf.WebhookAutoServer();

  // Auto-detect the best server (K3d/Minikube/simple) with external tunneling as a fallback:
  settings.admission.server = new kopf.WebhookAutoTunnel();

  // The final configuration for CI/CD (overrides previous values):
  settings.admission.server = new kopf.WebhookAutoServer();
  settings.admission.managed = 'auto.kopf.dev';
});

kopf.on.validate('kex', function authhook({ headers, sslpeer, warnings }) {
  const userAgent = headers['user-agent'] ?? '(unidentified)';
  warnings.push(`Accessing as user-agent: ${String(userAgent)}`);
  const subject = sslpeer.subject as Record<string, string> | undefined;
  if (!subject) {
    warnings.push('SSL peer is not identified.');
  } else {
    const commonName = subject.CN;
    if (commonName) warnings.push(`SSL peer is ${commonName}.`);
    else warnings.push("SSL peer's common name is absent.");
  }
});

kopf.on.validate('kex', function validate1({ spec, dryrun }) {
  if (!dryrun && spec.field === 'wrong')
    throw new kopf.AdmissionError("Meh! I don't like it. Change the field.");
});

kopf.on.validate('kex', { field: 'spec.field', value: 'not-allowed' }, function validate2() {
  throw new kopf.AdmissionError("I'm too lazy anyway. Go away!", { code: 555 });
});

kopf.on.mutate('kex', { labels: { somelabel: 'somevalue' } }, function mutate1({ patch }) {
  patch.spec.injected = 123;
});
