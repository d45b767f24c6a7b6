/**
 * Was a certificate of the path revoked at the signing time? Two sources, both without network:
 * the CRLs the deployment configured (trust.crls), and the validation data the document carries
 * (a PDF's DSS: CRLs and OCSP responses, PAdES B-LT; docs/security-signatures.md). A CRL or an
 * OCSP response counts only when the certificate's issuer (or, for OCSP, a responder it delegated
 * to) signed it. Without a verified time-stamp the signing time is only the signer's claim, so any
 * revocation counts; with one, a revocation after the time-stamp does not.
 *
 * Embedded data must speak for the signing time: issued at or after it, or still current then
 * (its next update not before it). A "good" CRL or OCSP answer that expired before the signature
 * was made says nothing about that moment and is not used.
 */
import { crlSignedBy } from './crl.ts';
import { ocspEntryFor } from './ocsp.ts';
import { finding, type Finding } from './report.ts';
import type { CertInfo } from './certs.ts';
import type { ChainContext } from './chain.ts';

/** What was known about one certificate of the path (the report's `longTermValidation.revocation`). */
export interface RevocationRecord {
  /** "CN=…, O=…" of the certificate. */
  certificate: string;
  /** `good` (not revoked at the validation time), `revoked`, `unchecked` (no usable data). */
  status: 'good' | 'revoked' | 'unchecked';
  /** Where the data that decided came from: the document's DSS, or the configured CRLs. */
  source: 'dss' | 'configured' | null;
  kind: 'crl' | 'ocsp' | null;
  /** The deciding data is listed in the signature's own VRI entry (pdf-dss.ts). */
  vri: boolean;
  /** When the certificate was revoked, if it was (also after the validation time). */
  revokedAt: string | null;
}

interface Statement {
  source: 'dss' | 'configured';
  kind: 'crl' | 'ocsp';
  what: string;
  revokedAt: Date | null;
  /** Issued at or after the signing time, or current at it. */
  covers: boolean;
  /** Listed in the signature's VRI entry. */
  vri: boolean;
}

export function revocation(path: readonly CertInfo[], ctx: ChainContext): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i];
    if (ctx.store.isAnchor(cert)) break;
    const issuer = path[i + 1];
    const statements = gather(cert, issuer, ctx, out);
    const record: RevocationRecord = { certificate: cert.label, status: 'unchecked', source: null, kind: null, vri: false, revokedAt: null };
    for (const s of statements) {
      if (s.revokedAt) {
        record.revokedAt = s.revokedAt.toISOString();
        // Without a trusted time the signing time is the signer's claim: a revoked key can backdate it.
        if (ctx.timeIsTrusted && s.revokedAt > ctx.at) {
          out.push(finding('valid', `certificate ${cert.label} was revoked on ${s.revokedAt.toISOString()}, after the time-stamped signing time`));
          if (record.status !== 'revoked') Object.assign(record, { status: 'good', source: s.source, kind: s.kind, vri: s.vri });
        } else {
          out.push(finding('revoked', `certificate ${cert.label} was revoked on ${s.revokedAt.toISOString()} (${s.what})`));
          Object.assign(record, { status: 'revoked', source: s.source, kind: s.kind, vri: s.vri });
        }
      } else if (s.covers && record.status === 'unchecked') Object.assign(record, { status: 'good', source: s.source, kind: s.kind, vri: s.vri });
      else if (s.covers && record.status === 'good' && record.source === 'configured' && s.source === 'dss')
        Object.assign(record, { source: 'dss', kind: s.kind, vri: s.vri });
    }
    if (!statements.length) {
      const where = ctx.embedded ? ' and none in the document' : '';
      out.push(finding('valid', `revocation of ${cert.label} not checked: no CRL configured for ${issuer.label}${where}`));
    } else if (record.status === 'unchecked') {
      out.push(finding('valid', `revocation of ${cert.label} not checked: no CRL or OCSP response covers the signing time ${ctx.at.toISOString()}`));
    }
    ctx.revocations?.push(record);
  }
  return out;
}

/** Every CRL and OCSP response about `cert` that its issuer signed, configured first. */
function gather(cert: CertInfo, issuer: CertInfo, ctx: ChainContext, out: Finding[]): Statement[] {
  const statements: Statement[] = [];
  const at = ctx.at;
  for (const crl of ctx.store.crlsFrom(cert.issuerName)) {
    if (!crlSignedBy(crl, issuer)) continue;
    const revokedAt = crl.revoked.get(cert.serial) ?? null;
    if (!revokedAt && crl.nextUpdate && crl.nextUpdate < ctx.now) {
      out.push(finding('valid', `CRL ${crl.source} is past its next update (${crl.nextUpdate.toISOString()})`));
    }
    // A configured CRL is the deployment's current knowledge: it speaks for the signing time.
    statements.push({ source: 'configured', kind: 'crl', what: crl.source, revokedAt, covers: true, vri: false });
  }
  const embedded = ctx.embedded;
  if (!embedded) return statements;
  // The signature's VRI entry comes first in the lists (pdf-dss.ts forSignature).
  const inVri = (x: object) => embedded.used?.crls.includes(x as never) === true || embedded.used?.ocsps.includes(x as never) === true;
  for (const crl of embedded.crls) {
    if (crl.issuerName !== cert.issuerName || !crlSignedBy(crl, issuer)) continue;
    const revokedAt = crl.revoked.get(cert.serial) ?? null;
    const what = `CRL in the document${inVri(crl) ? " (the signature's VRI)" : ''}, ${crl.source}`;
    statements.push({ source: 'dss', kind: 'crl', what, revokedAt, covers: covers(crl.thisUpdate, crl.nextUpdate, at), vri: inVri(crl) });
  }
  for (const ocsp of embedded.ocsps) {
    const e = ocspEntryFor(ocsp, cert, issuer);
    if (!e || e.status === 'unknown') continue;
    statements.push({
      source: 'dss',
      kind: 'ocsp',
      what: `OCSP response in the document, ${ocsp.source}`,
      revokedAt: e.status === 'revoked' ? (e.revokedAt ?? e.thisUpdate) : null,
      covers: covers(e.thisUpdate, e.nextUpdate, at),
      vri: inVri(ocsp),
    });
  }
  return statements;
}

function covers(thisUpdate: Date, nextUpdate: Date | null, at: Date): boolean {
  return thisUpdate >= at || (nextUpdate !== null && nextUpdate >= at);
}
