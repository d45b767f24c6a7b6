/**
 * The verdict vocabulary of the trust stage and the report shape of `vanthu verify`
 * (docs/contracts.md). Keep these shapes stable: add fields, never rename.
 */

import type { ChangesAfterSigning, SigningChange } from './pdf-changes.ts';
import type { RevocationRecord } from './revocation.ts';

export type { ChangesAfterSigning, SigningChange, RevocationRecord };

export type SignatureVerdict = 'valid' | 'invalid' | 'untrusted' | 'expired' | 'revoked' | 'indeterminate';
export type OverallVerdict = SignatureVerdict | 'unsigned';

export type MailLayer = 'dkim' | 'spf' | 'dmarc' | 'arc';
export type DocumentLayer = 'smime' | 'pdf' | 'xml';
export type SignatureLayer = MailLayer | DocumentLayer;

export interface SignerIdentity {
  commonName: string | null;
  organization: string | null;
  email: string | null;
}

export interface SignatureReport {
  layer: SignatureLayer;
  verdict: SignatureVerdict;
  signer: SignerIdentity | null;
  /** ISO timestamp, when known. */
  signedAt: string | null;
  /** File name of the PDF/XML attachment inside a message; null for the message's own layers. */
  attachment: string | null;
  /** PDF only: bytes were added after the signed range (incremental update). */
  modifiedAfterSigning: boolean;
  /**
   * PDF only: what the bytes added after the signed range change, judged like DocMDP/PAdES
   * (pdf-changes.ts): `none` (nothing added), `permitted` (later signatures, time-stamps,
   * validation data, form filling or annotations where DocMDP allows them), `forbidden` (page
   * content, pages, resources, anything else: the signature's verdict is then `invalid`),
   * `unknown` (could not be analysed: `indeterminate`). Always `none` for other layers.
   */
  changesAfterSigning: ChangesAfterSigning;
  /** The changes after signing, one entry each, in Vietnamese and English. */
  changes: SigningChange[];
  /** PDF with changes after signing: the revision this signature covers (bytes [0, length) of the file). */
  signedRevision: { length: number; sha256: string } | null;
  /**
   * PDF signatures (not document time-stamps): long-term validation (pdf-ltv.ts,
   * docs/security-signatures.md); null for other layers.
   */
  longTermValidation: LongTermValidation | null;
  reasons: string[];
}

/** How a PDF signature stands over time: its PAdES baseline level in this file and the data it was checked with. */
export interface LongTermValidation {
  /**
   * `B-B` signed; `B-T` a verified time-stamp proves when (its own, or a later one covering it);
   * `B-LT` and the file's DSS has usable revocation data for every certificate of its path;
   * `B-LTA` and a document time-stamp covers that DSS.
   */
  level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
  /** The instant the certificate path was checked at (ISO). */
  validatedAt: string | null;
  /** Where that instant comes from: a time-stamp (trusted), the signer's claim, or the time of verification. */
  timeSource: 'signature-timestamp' | 'later-timestamp' | 'claimed' | 'verification';
  /** The file carries a Document Security Store. */
  dss: boolean;
  /** The key of this signature's VRI entry in the DSS (SHA-1 of its /Contents, upper-case hex), looked at first; null when the DSS has none for it. */
  vri: string | null;
  /** One entry per certificate of the path below the anchor. */
  revocation: RevocationRecord[];
  /**
   * When the TSA certificate of the newest verified document time-stamp covering this signature
   * expires (ISO): the archive time-stamp must be renewed before (docs/issuance.md); null when none covers it.
   */
  archiveExpires: string | null;
}

export interface VerifyReport {
  verdict: OverallVerdict;
  signatures: SignatureReport[];
}

/** Worst first: the order in which one bad finding outweighs another. */
const SEVERITY: readonly SignatureVerdict[] = ['invalid', 'revoked', 'expired', 'untrusted', 'indeterminate', 'valid'];

const DOCUMENT_LAYERS: ReadonlySet<SignatureLayer> = new Set<SignatureLayer>(['smime', 'pdf', 'xml']);

export function isDocumentLayer(layer: SignatureLayer): layer is DocumentLayer {
  return DOCUMENT_LAYERS.has(layer);
}

/** The worse of the given verdicts; `valid` for none. */
export function worst(verdicts: Iterable<SignatureVerdict>): SignatureVerdict {
  let rank = SEVERITY.length - 1;
  for (const v of verdicts) rank = Math.min(rank, SEVERITY.indexOf(v));
  return SEVERITY[rank];
}

/**
 * Mail-authentication layers are reported but never decide: they speak for the sending domain,
 * not for the document, and depend on DNS at the time of checking.
 */
export function overallVerdict(signatures: readonly SignatureReport[]): OverallVerdict {
  const documentVerdicts = signatures.filter((s) => isDocumentLayer(s.layer)).map((s) => s.verdict);
  return documentVerdicts.length === 0 ? 'unsigned' : worst(documentVerdicts);
}

export function makeReport(signatures: SignatureReport[]): VerifyReport {
  return { verdict: overallVerdict(signatures), signatures };
}

/** A report entry with the contract's defaults filled in, so every key is present. */
export function signature(layer: SignatureLayer, verdict: SignatureVerdict, extra: Partial<SignatureReport> = {}): SignatureReport {
  return {
    layer,
    verdict,
    signer: extra.signer ?? null,
    signedAt: extra.signedAt ?? null,
    attachment: extra.attachment ?? null,
    modifiedAfterSigning: extra.modifiedAfterSigning ?? false,
    changesAfterSigning: extra.changesAfterSigning ?? 'none',
    changes: extra.changes ?? [],
    signedRevision: extra.signedRevision ?? null,
    longTermValidation: extra.longTermValidation ?? null,
    reasons: extra.reasons ?? [],
  };
}

/** A finding that pulls a verdict down, with the reason the clerk will read. */
export interface Finding {
  verdict: SignatureVerdict;
  reason: string;
}

export function finding(verdict: SignatureVerdict, reason: string): Finding {
  return { verdict, reason };
}
