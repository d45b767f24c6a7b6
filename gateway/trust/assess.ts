/**
 * From one signer's cryptographic check to its report entry: pick the signing time (verified
 * time-stamp, else the signer's claim, else now), check the certificate path at that time, and
 * take the worst finding as the verdict. Shared by the S/MIME, PDF and XML layers.
 */
import { assessCertificate } from './chain.ts';
import { checkTimestamp } from './timestamp.ts';
import { signature, worst, type DocumentLayer, type Finding, type SignatureReport } from './report.ts';
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
}

export function assessSigner(check: SignerCheck, ctx: TrustContext, info: LayerInfo): SignatureReport {
  const findings: Finding[] = [...(info.findings ?? []), ...check.findings];
  const notes: string[] = [];
  let at = check.signingTime;
  let timeIsTrusted = false;
  if (check.timestampToken) {
    const ts = checkTimestamp(check.timestampToken, [check.signatureValue], ctx.store, ctx.now);
    notes.push(...ts.reasons);
    if (ts.time) {
      at = ts.time;
      timeIsTrusted = true;
    }
  }
  if (check.certificate) {
    if (!at) notes.push('the signature states no signing time; the certificate was checked at the time of verification');
    findings.push(...assessCertificate(check.certificate, check.pool, { store: ctx.store, at: at ?? ctx.now, timeIsTrusted, now: ctx.now }));
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
