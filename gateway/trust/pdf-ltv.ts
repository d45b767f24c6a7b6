/**
 * Long-term validation of PDF signatures (PAdES baseline, ETSI EN 319 142-1; docs/security-signatures.md):
 *
 * - time: a verified time-stamp proves a signature existed at its time — the signature's own
 *   (B-T), or one from a later revision that covers it: a document time-stamp, or a later
 *   signature's time-stamp when that signature's value verifies (it signs the digest of the bytes
 *   that hold the earlier signature). The path is then checked at that time, so a certificate
 *   revoked or expired later does not undo the signature;
 * - validation data: the file's DSS (pdf-dss.ts) gives certificates, CRLs and OCSP responses, used
 *   beside the configured CRLs; when it has usable revocation data for every certificate of a
 *   time-stamped signature's path, the signature is B-LT — it verifies from the file alone;
 * - a document time-stamp over a revision that has the DSS makes it B-LTA.
 *
 * Signatures are verified last to first (pdf.ts), so the proofs of later revisions are known when an
 * earlier signature is checked.
 */
import { PdfFile } from '../documents/sources/pdf-objects.ts';
import { forSignature, hasDss, readDss, type ValidationData } from './pdf-dss.ts';
import type { RevocationRecord } from './revocation.ts';
import type { LongTermValidation } from './report.ts';

export interface Proof {
  /** The covered bytes: [0, before) — the first part of the later field's /ByteRange. */
  before: number;
  time: Date;
  by: string;
  /** A document time-stamp whose signed revision holds a DSS. */
  overDss: boolean;
  /** A document time-stamp: when its TSA certificate expires (the archive must be renewed before). */
  archiveUntil: Date | null;
}

/** How long before the archive time-stamp's TSA certificate expires the report warns (the renewal sweep's default window, docs/issuance.md). */
export const ARCHIVE_WARNING_DAYS = 90;
const DAY = 86_400_000;

/** What assess.ts needs to know about a PDF signature's long-term validation, and what it tells back. */
export interface LongTermInfo {
  /** The earliest verified time-stamp of a later revision that covers this signature. */
  proof: Proof | null;
  embedded: ValidationData | null;
  /** The TSA certificate's expiry of the newest verified document time-stamp that covers this signature. */
  archiveExpires: Date | null;
  /** Set by assess.ts: the time of the signature's own verified time-stamp. */
  timestamped?: Date | null;
}

export class LongTerm {
  private data: ValidationData | null | undefined;
  readonly proofs: Proof[] = [];
  /** Problems reading the DSS, for the reasons. */
  readonly notes: string[] = [];

  constructor(
    private readonly bytes: Buffer,
    private readonly finalFile: () => PdfFile,
  ) {}

  /** The final file's DSS (read once); null without one or when the file cannot be read. */
  embedded(): ValidationData | null {
    if (this.data === undefined) {
      try {
        this.data = this.bytes.includes('/DSS') ? readDss(this.finalFile()) : null;
        if (this.data) this.notes.push(...this.data.notes);
      } catch (err) {
        this.data = null;
        this.notes.push(`the document's validation data (DSS) could not be read: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return this.data;
  }

  /**
   * What a signature whose revision ends at `end` gets: the proofs of later revisions, the DSS —
   * its own VRI entry's data first when the DSS has one for its /Contents (pdf-dss.ts).
   */
  infoFor(end: number, contents: Buffer): LongTermInfo {
    const covering = this.proofs.filter((p) => p.before >= end);
    const proof = covering.reduce<Proof | null>((best, p) => (!best || p.time < best.time ? p : best), null);
    const data = this.embedded();
    const archive = covering.filter((p) => p.archiveUntil).reduce<Proof | null>((newest, p) => (!newest || p.before > newest.before ? p : newest), null);
    return { proof, embedded: data ? forSignature(data, contents) : null, archiveExpires: archive?.archiveUntil ?? null };
  }

  /** Whether a verified document time-stamp covers a DSS written after the revision ending at `end`. */
  archived(end: number): boolean {
    return this.proofs.some((p) => p.overDss && p.before >= end);
  }

  /**
   * A verified time-stamp from the field whose /ByteRange is [0 b c d]; `archiveUntil` for a document
   * time-stamp: its TSA certificate's expiry.
   */
  prove(range: readonly [number, number, number, number], time: Date, by: string, documentTimestamp: boolean, archiveUntil: Date | null = null): void {
    let overDss = false;
    if (documentTimestamp && this.embedded()) {
      try {
        const end = range[2] + range[3];
        overDss = hasDss(end === this.bytes.length ? this.finalFile() : new PdfFile(this.bytes.subarray(0, end)));
      } catch {
        overDss = false;
      }
    }
    this.proofs.push({ before: range[1], time, by, overDss, archiveUntil: documentTimestamp ? archiveUntil : null });
  }
}

/**
 * The report's `longTermValidation` for a signature checked at `validatedAt` (trusted when it comes
 * from a time-stamp) with these revocation records.
 */
export function longTermReport(opts: {
  validatedAt: Date | null;
  timeSource: LongTermValidation['timeSource'];
  revocations: RevocationRecord[];
  anchored: boolean;
  dss: boolean;
  archived: boolean;
  /** The key of the signature's VRI entry the data was looked up in first, null without one. */
  vri: string | null;
  archiveExpires: Date | null;
}): LongTermValidation {
  const timed = opts.timeSource === 'signature-timestamp' || opts.timeSource === 'later-timestamp';
  const fromFile = opts.anchored && opts.revocations.length > 0 && opts.revocations.every((r) => r.source === 'dss' && r.status !== 'unchecked');
  const level = !timed ? 'B-B' : !fromFile ? 'B-T' : opts.archived ? 'B-LTA' : 'B-LT';
  return {
    level,
    validatedAt: opts.validatedAt?.toISOString() ?? null,
    timeSource: opts.timeSource,
    dss: opts.dss,
    vri: opts.vri,
    revocation: opts.revocations,
    archiveExpires: opts.archiveExpires?.toISOString() ?? null,
  };
}

/**
 * The warning for an archive whose renewal is overdue or due (docs/issuance.md, "Renewing the
 * archive time-stamp"): once the newest document time-stamp's TSA certificate has expired, nothing
 * proves any longer that the time-stamps and the validation data were not forged after the fact.
 */
export function archiveWarning(expires: Date | null, now: Date): string | null {
  if (!expires) return null;
  const at = expires.toISOString();
  if (now.getTime() >= expires.getTime())
    return `archive renewal overdue: the TSA certificate of the newest document time-stamp expired at ${at}; renew the archive time-stamp (vanthu renew-timestamp)`;
  const days = Math.ceil((expires.getTime() - now.getTime()) / DAY);
  if (days <= ARCHIVE_WARNING_DAYS)
    return `archive renewal due: the TSA certificate of the newest document time-stamp expires at ${at}, in ${days} day(s); renew the archive time-stamp before then`;
  return null;
}
