/**
 * Certificate path to a configured trust anchor, checked at the signing time: issuer signatures,
 * CA flags, validity windows, revocation (configured CRLs, and the document's own validation data:
 * revocation.ts), and the signer's key usage.
 */
import { signatureScheme } from './algorithms.ts';
import { revocation, type RevocationRecord } from './revocation.ts';
import { finding, type Finding } from './report.ts';
import type { CertInfo } from './certs.ts';
import type { TrustStore } from './store.ts';
import type { ValidationData } from './pdf-dss.ts';

const MAX_DEPTH = 8;

export interface ChainContext {
  store: TrustStore;
  /** When the signature was made; validity windows are checked at this instant. */
  at: Date;
  /** True when `at` comes from a verified time-stamp rather than the signer's own clock. */
  timeIsTrusted: boolean;
  now: Date;
  /** Validation data the document carries (a PDF's DSS): certificates for the path, CRLs, OCSP responses (revocation.ts). */
  embedded?: ValidationData | null;
  /** When given, what was known about the revocation of each certificate of the path is added here. */
  revocations?: RevocationRecord[];
}

const issuedBy = new Map<string, boolean>();

/** Did `issuer` sign `cert`? OpenSSL checks; results are memoised per pair. */
function signedBy(cert: CertInfo, issuer: CertInfo): boolean {
  const key = `${cert.fingerprint}:${issuer.fingerprint}`;
  let ok = issuedBy.get(key);
  if (ok === undefined) {
    try {
      ok = cert.issuerName === issuer.subjectName && cert.x509.verify(issuer.publicKey);
    } catch {
      ok = false;
    }
    if (issuedBy.size > 16_384) issuedBy.clear();
    issuedBy.set(key, ok);
  }
  return ok;
}

/** For benchmarks of the cold path: forget which issuer signatures were checked. */
export function clearPathCache(): void {
  issuedBy.clear();
}

/**
 * Path from `leaf` up to an anchor, leaf first, or null. Anchors are preferred over certificates
 * that merely came with the signature, so a pool cannot shadow the configured root.
 */
export function buildPath(leaf: CertInfo, pool: readonly CertInfo[], store: TrustStore): CertInfo[] | null {
  const walk = (path: CertInfo[]): CertInfo[] | null => {
    const top = path[path.length - 1];
    if (store.isAnchor(top)) return path;
    if (path.length > MAX_DEPTH || top.selfIssued) return null;
    for (const anchor of store.anchorsNamed(top.issuerName)) {
      if (signedBy(top, anchor)) return [...path, anchor];
    }
    for (const candidate of pool) {
      if (candidate.subjectName !== top.issuerName || path.includes(candidate)) continue;
      if (!signedBy(top, candidate)) continue;
      const found = walk([...path, candidate]);
      if (found) return found;
    }
    return null;
  };
  return walk([leaf]);
}

/** Findings about the signer certificate and its path; an empty list means trusted and in force. */
export function assessCertificate(leaf: CertInfo, pool: readonly CertInfo[], ctx: ChainContext): Finding[] {
  const findings: Finding[] = [];
  const usage = leaf.keyUsage;
  if (usage && !usage.digitalSignature && !usage.nonRepudiation) {
    findings.push(finding('invalid', `certificate ${leaf.label} is not allowed to sign documents (key usage)`));
  }
  const path = buildPath(leaf, ctx.embedded ? [...pool, ...ctx.embedded.certs] : pool, ctx.store);
  if (!path) {
    const why = leaf.selfIssued ? 'is self-signed and not a configured trust anchor' : 'does not chain to a configured trust anchor';
    findings.push(finding('untrusted', `certificate ${leaf.label} ${why} (issuer: ${leaf.x509.issuer.replace(/\n/g, ', ')})`));
    findings.push(...validity([leaf], ctx));
    return findings;
  }
  findings.push(...pathAlgorithms(path, ctx.store), ...caFlags(path, ctx.store), ...validity(path, ctx), ...revocation(path, ctx));
  return findings;
}

function pathAlgorithms(path: readonly CertInfo[], store: TrustStore): Finding[] {
  const out: Finding[] = [];
  for (const cert of path) {
    if (store.isAnchor(cert)) continue; // an anchor is trusted as configured, not by its own signature
    const scheme = signatureScheme(cert.signatureAlgorithm, null);
    if (typeof scheme === 'string') out.push(finding('indeterminate', `certificate ${cert.label}: ${scheme}`));
    else if (scheme.hash === 'sha1') {
      out.push(finding('indeterminate', `certificate ${cert.label} is signed with SHA-1, which is no longer accepted`));
    }
  }
  return out;
}

function caFlags(path: readonly CertInfo[], store: TrustStore): Finding[] {
  return path
    .slice(1)
    .filter((ca) => !store.isAnchor(ca) && (!ca.isCA || (ca.keyUsage !== null && !ca.keyUsage.keyCertSign)))
    .map((ca) => finding('untrusted', `intermediate ${ca.label} is not a certification authority`));
}

function validity(path: readonly CertInfo[], ctx: ChainContext): Finding[] {
  const out: Finding[] = [];
  const at = ctx.at.toISOString();
  for (const cert of path) {
    if (ctx.at < cert.notBefore || ctx.at > cert.notAfter) {
      const window = `${cert.notBefore.toISOString()} – ${cert.notAfter.toISOString()}`;
      out.push(finding('expired', `certificate ${cert.label} was not valid at signing time ${at} (valid ${window})`));
    } else if (!ctx.timeIsTrusted && ctx.now > cert.notAfter) {
      out.push(finding('valid', `certificate ${cert.label} has expired since; its validity at signing time rests on the signer's own clock (no time-stamp)`));
    }
  }
  return out;
}
