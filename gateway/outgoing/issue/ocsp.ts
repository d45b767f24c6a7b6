/**
 * Asking an OCSP responder (RFC 6960) about a certificate, for the DSS of an issued document
 * (PAdES B-LT, docs/issuance.md). The request is built by pkijs; the answer is kept only when
 * gateway/trust/ocsp.ts — the code that will read it back from the file — finds a signed "good" or
 * "revoked" statement about this very certificate in it.
 */
import { webcrypto } from 'node:crypto';
import { Certificate, CryptoEngine, OCSPRequest } from 'pkijs';
import type { CertInfo } from '../../trust/certs.ts';
import { ocspEntryFor, parseOcsp, type OcspEntry } from '../../trust/ocsp.ts';
import { answerProblem, fetchBytes } from './http.ts';
import { IssueError } from './issue-error.ts';

const engine = new CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });

/** The OCSP URL a certificate names (authority information access), or null. */
export function ocspUrlOf(cert: CertInfo): string | null {
  const m = /OCSP - URI:(\S+)/.exec(cert.x509.infoAccess ?? '');
  return m?.[1] ?? null;
}

/** The DER OCSPResponse about `cert`, its entry as the verifier reads it. */
export async function fetchOcsp(url: string, cert: CertInfo, issuer: CertInfo): Promise<{ der: Buffer; entry: OcspEntry }> {
  const req = new OCSPRequest();
  await req.createForCertificate(
    Certificate.fromBER(new Uint8Array(cert.der)),
    { hashAlgorithm: 'SHA-1', issuerCertificate: Certificate.fromBER(new Uint8Array(issuer.der)) },
    engine,
  );
  let der: Buffer;
  try {
    der = await fetchBytes(url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: new Uint8Array(req.toSchema(true).toBER()),
    });
  } catch (err) {
    throw new IssueError('outgoing.issue.ocsp', answerProblem('OCSP', url, err));
  }
  let entry: OcspEntry | null;
  try {
    entry = ocspEntryFor(parseOcsp(der, url), cert, issuer);
  } catch (err) {
    throw new IssueError('outgoing.issue.ocsp', `OCSP ${url}: ${(err as Error).message}`);
  }
  if (!entry || entry.status === 'unknown') {
    throw new IssueError('outgoing.issue.ocsp', `OCSP ${url} has no signed answer about ${cert.label} (${entry?.status ?? 'no entry'})`);
  }
  return { der, entry };
}
