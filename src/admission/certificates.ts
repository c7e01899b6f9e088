/**
 * Self-signed certificates for the webhook server, made with `@peculiar/x509` on Node's webcrypto (no
 * hand-written ASN.1, no openssl): a CA (what the API server is told to trust: the `caBundle`) and a server
 * certificate it signs, for the host names and IP addresses the server is reached by (its SANs). ECDSA P-256
 * keys (Kopf makes one RSA-2048 certificate that is its own CA; see docs/admission.md). Called by server.ts.
 */
import { webcrypto, X509Certificate as NodeX509, type webcrypto as WebCrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';

/** A generated certificate chain, as PEM. */
export interface GeneratedCertificate {
  /** The CA certificate: the `caBundle` of the webhook configurations. */
  caPem: string;
  /** The server certificate, signed by the CA. */
  certPem: string;
  /** The server certificate's private key (PKCS#8). */
  keyPem: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Node's webcrypto, in the type `@peculiar/x509` asks for. */
const crypto = webcrypto as unknown as NonNullable<
  Parameters<typeof X509.X509CertificateGenerator.create>[1]
>;

/**
 * The subject alternative names of a server reached at these names: IP addresses as IP SANs (normalised;
 * the unspecified `0.0.0.0`/`::` dropped), anything else as DNS names; duplicates dropped, order kept.
 */
export function subjectAltNames(names: readonly (string | null | undefined)[]): X509.JsonGeneralName[] {
  const out: X509.JsonGeneralName[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    if (!raw) continue;
    const name = raw.replace(/^\[(.*)\]$/, '$1');
    const ip = isIP(name) !== 0;
    if (ip && (name === '0.0.0.0' || name === '::')) continue;
    const key = `${ip ? 'ip' : 'dns'}:${name.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type: ip ? 'ip' : 'dns', value: name });
  }
  return out;
}

/** A CA and a server certificate for `names` (host names and IPs), valid from an hour ago for `days`. */
export async function generateCertificate(
  names: readonly (string | null | undefined)[],
  days = 365,
): Promise<GeneratedCertificate> {
  const x509 = await loadX509();
  const sans = subjectAltNames(names);
  if (sans.length === 0) throw new Error('A webhook certificate needs at least one host name or IP address.');
  const commonName = sans.find((s) => s.type === 'dns')?.value ?? sans[0]!.value;
  const notBefore = new Date(Date.now() - 3600_000);
  const notAfter = new Date(Date.now() + days * 86400_000);
  const caKeys = (await crypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as WebCrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=kopf-ts webhook CA for ${commonName.replace(/[,+="<>#;\\]/g, '_')}, O=kopf-ts`,
      keys: caKeys,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as WebCrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${commonName.replace(/[,+="<>#;\\]/g, '_')}, O=kopf-ts`,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(sans),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    caPem: ca.toString('pem'),
    certPem: cert.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}

/**
 * `@peculiar/x509`, loaded on first use: it needs the `reflect-metadata` polyfill (its dependency injection
 * reads decorators' metadata), which patches the global `Reflect`, so an operator that brings its own
 * certificate never loads either.
 */
async function loadX509(): Promise<typeof X509> {
  await import('reflect-metadata');
  return await import('@peculiar/x509');
}

/** The SANs of a PEM certificate as Node reads them (`DNS:x, IP Address:y`), for logs and tests. */
export function describeSans(certPem: string): string {
  return new NodeX509(certPem).subjectAltName ?? '';
}
