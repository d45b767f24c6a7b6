/**
 * CRLs from a certificate's CRL distribution points (RFC 5280 §4.2.1.13), for the DSS of an issued
 * document (PAdES B-LT, docs/issuance.md "Long-term validation"). Only when issuing, and only
 * through the fetcher handed in (`ltv.crlDistributionPoints` gives the HTTP one): the verifier
 * never fetches. A fetched CRL is kept only when the certificate's issuer signed it — the check
 * the verifier makes when it reads it back (gateway/trust/crl.ts, revocation.ts).
 */
import { Certificate, CRLDistributionPoints } from 'pkijs';
import type { CertInfo } from '../../trust/certs.ts';
import { crlSignedBy, parseCrl, type CrlInfo } from '../../trust/crl.ts';
import { fetchBytes } from './http.ts';
import { IssueError } from './issue-error.ts';

/** Fetches the bytes at a CRL distribution point URL (DER or PEM). */
export type CrlFetcher = (url: string) => Promise<Buffer>;

const CRL_DP = '2.5.29.31';
const MAX_CRL_BYTES = 20 * 1024 * 1024;
const MAX_URLS = 4;

/** The http(s) URLs of the certificate's CRL distribution points (LDAP and others are left out). */
export function crlUrlsOf(cert: CertInfo): string[] {
  let parsed: Certificate;
  try {
    parsed = Certificate.fromBER(new Uint8Array(cert.der));
  } catch {
    return [];
  }
  const ext = parsed.extensions?.find((e) => e.extnID === CRL_DP);
  const dps = ext?.parsedValue instanceof CRLDistributionPoints ? ext.parsedValue.distributionPoints : [];
  const urls: string[] = [];
  for (const dp of dps) {
    const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
    // GeneralName type 6: uniformResourceIdentifier.
    for (const n of names) if (n.type === 6 && typeof n.value === 'string' && /^https?:\/\//i.test(n.value)) urls.push(n.value);
  }
  return [...new Set(urls)].slice(0, MAX_URLS);
}

/** The fetcher over HTTP(S): 20 s per request, at most 20 MiB. */
export function httpCrlFetcher(timeoutMs = 20_000): CrlFetcher {
  return (url) => fetchBytes(url, {}, { timeoutMs, maxBytes: MAX_CRL_BYTES });
}

function derOf(bytes: Buffer): Buffer {
  const pem = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(bytes.toString('latin1'));
  return pem ? Buffer.from(pem[1].replace(/\s+/g, ''), 'base64') : bytes;
}

/**
 * The first CRL at the certificate's distribution points that its issuer signed; throws with what
 * went wrong at each URL when none did (the caller reports it as missing validation data).
 */
export async function crlFromDistributionPoints(cert: CertInfo, issuer: CertInfo, fetcher: CrlFetcher): Promise<{ crl: CrlInfo; url: string }> {
  const urls = crlUrlsOf(cert);
  if (!urls.length) throw new IssueError('outgoing.issue.crl', 'no CRL distribution point');
  const problems: string[] = [];
  for (const url of urls) {
    try {
      const crl = parseCrl(derOf(await fetcher(url)), url);
      if (crl.issuerName !== cert.issuerName || !crlSignedBy(crl, issuer)) throw new Error(`not signed by ${issuer.label}`);
      return { crl, url };
    } catch (err) {
      problems.push(`CRL ${url}: ${(err as Error).message}`);
    }
  }
  throw new IssueError('outgoing.issue.crl', problems.join('; '));
}
