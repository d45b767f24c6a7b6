/**
 * From one signer's cryptographic check to its report entry: pick the signing time (verified
 * time-stamp, else the signer's claim, else now), check the certificate path at that time, and
 * take the worst finding as the verdict. Shared by the S/MIME, PDF and XML layers. A PDF signature
 * without its own time-stamp that a later one covers is also checked at that later time
 * (pdf-ltv.ts), and kept so when that is not worse.
 */
import { assessCertificate } from './chain.ts';
import { checkTimestamp } from './timestamp.ts';
import { signature, worst, type DocumentLayer, type Finding, type LongTermValidation, type SignatureReport } from './report.ts';
import { longTermReport, type LongTermInfo } from './pdf-ltv.ts';
import type { RevocationRecord } from './revocation.ts';
import type { SignerCheck } from './cms.ts';
import type { TrustStore } from './store.ts';

export interface TrustContext {
  store: TrustStore;
  now: Date;
}

export interface LayerInfo {
  layer: DocumentLayer;
  attachment: string | null;
  modifiedAfterSigning?: boolean;
  /** PDF: what changed after signing, the signed revision (report.ts). */
  changesAfterSigning?: SignatureReport['changesAfterSigning'];
  changes?: SignatureReport['changes'];
  signedRevision?: SignatureReport['signedRevision'];
  /** Layer-specific findings (PDF structure, XML coverage) to weigh with the signer's. */
  findings?: Finding[];
  /** PDF signatures: later time-stamps that cover it and the file's validation data (pdf-ltv.ts). */
  longTerm?: LongTermInfo & { archived?: boolean };
}

export function assessSigner(check: SignerCheck, ctx: TrustContext, info: LayerInfo): SignatureReport {
  const findings: Finding[] = [...(info.findings ?? []), ...check.findings];
  const notes: string[] = [];
  const lt = info.longTerm;
  const embedded = lt?.embedded ?? null;
  let at = check.signingTime;
  let timeIsTrusted = false;
  let timeSource: LongTermValidation['timeSource'] = at ? 'claimed' : 'verification';
  if (check.timestampToken) {
    const ts = checkTimestamp(check.timestampToken, [check.signatureValue], ctx.store, ctx.now, false, embedded);
    notes.push(...ts.reasons);
    if (ts.time) {
      at = ts.time;
      timeIsTrusted = true;
      timeSource = 'signature-timestamp';
    }
  }
  if (lt) lt.timestamped = timeIsTrusted ? at : null;
  let validatedAt = at ?? ctx.now;
  let revocations: RevocationRecord[] = [];
  let anchored = false;
  if (check.certificate) {
    const base = { store: ctx.store, now: ctx.now, embedded };
    let path = assessCertificate(check.certificate, check.pool, { ...base, at: validatedAt, timeIsTrusted, revocations });
    const proof = timeIsTrusted ? null : lt?.proof;
    if (proof) {
      // A later time-stamp proves the signature existed then: checked at that time, a revocation or
      // expiry after it does not count, where the signer's own clock could not be trusted for that.
      const proven: RevocationRecord[] = [];
      const atProof = assessCertificate(check.certificate, check.pool, { ...base, at: proof.time, timeIsTrusted: true, revocations: proven });
      const before = worst(path.map((f) => f.verdict));
      if (worst([before, worst(atProof.map((f) => f.verdict))]) === before) {
        path = atProof;
        revocations = proven;
        validatedAt = proof.time;
        timeSource = 'later-timestamp';
        notes.push(`existence proven at ${proof.time.toISOString()} by ${proof.by}; the certificate path was checked at that time`);
      }
    }
    if (!at && timeSource !== 'later-timestamp') notes.push('the signature states no signing time; the certificate was checked at the time of verification');
    anchored = !path.some((f) => f.verdict === 'untrusted');
    findings.push(...path);
  }
  const verdict = worst(findings.map((f) => f.verdict));
  // Reasons that explain the verdict come first; notes about a valid outcome after.
  const reasons = [
    ...findings.filter((f) => f.verdict !== 'valid').map((f) => f.reason),
    ...findings.filter((f) => f.verdict === 'valid').map((f) => f.reason),
    ...notes,
  ];
  return signature(info.layer, verdict, {
    signer: check.certificate?.identity ?? null,
    signedAt: at?.toISOString() ?? null,
    ...pdfExtras(info),
    longTermValidation: lt
      ? longTermReport({
          validatedAt,
          timeSource,
          revocations,
          anchored,
          dss: embedded !== null,
          archived: lt.archived ?? false,
          vri: embedded?.used?.key ?? null,
          archiveExpires: lt.archiveExpires ?? null,
        })
      : null,
    reasons,
  });
}

/** An entry for a signature that could not even be parsed. */
export function unreadable(info: LayerInfo, verdict: 'invalid' | 'indeterminate', reason: string): SignatureReport {
  const findings = info.findings ?? [];
  return signature(info.layer, worst([verdict, ...findings.map((f) => f.verdict)]), {
    ...pdfExtras(info),
    reasons: [reason, ...findings.map((f) => f.reason)],
  });
}

/** The layer's attachment and what it knows about changes after signing. */
export function pdfExtras(info: LayerInfo): Partial<SignatureReport> {
  return {
    attachment: info.attachment,
    modifiedAfterSigning: info.modifiedAfterSigning ?? false,
    changesAfterSigning: info.changesAfterSigning,
    changes: info.changes,
    signedRevision: info.signedRevision,
  };
}
