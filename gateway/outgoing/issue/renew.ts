/**
 * Renewing the archive time-stamp of an issued document (PAdES B-LTA, ETSI EN 319 142-1 §5.5;
 * docs/issuance.md "Renewing the archive time-stamp"). A document time-stamp protects the
 * signatures before it only while its own TSA certificate and algorithms are trusted; before that
 * ends, one more round is added, in two incremental updates after everything already there:
 *
 * 1. the validation data of the last time-stamp — its TSA's path, with CRLs and/or OCSP answers
 *    fetched now (ltv.ts `addValidationData`, which walks every signature field, document
 *    time-stamps included, and adds only what the DSS does not already hold);
 * 2. a new document time-stamp over the whole file, in a hidden field of its own.
 *
 * Both are permitted changes after any signature, so every earlier signature and time-stamp keeps
 * its bytes and stays valid.
 */
import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import type { CertInfo } from '../../trust/certs.ts';
import { checkSigners, parseSignedData } from '../../trust/cms.ts';
import { IncrementalUpdate, IssueError } from './incremental.ts';
import { addDocumentTimestamp, addValidationData, type LtvSources, type LtvSummary } from './ltv.ts';

/** The field name of the first document time-stamp issuance writes; later rounds add "-2", "-3", … */
export const DOC_TIMESTAMP_FIELD = 'VanThu-DocTimeStamp';

export interface RenewInput {
  /** The RFC 3161 TSA (http URL) of the new document time-stamp. */
  tsa: string;
  /** Where the validation data comes from: the unit's `issue.ltv` (the same sources as at issuance). */
  sources: LtvSources;
}

export interface RenewResult {
  pdf: Buffer;
  /** What the new DSS round added (not what it found already there) and what it could not find. */
  validation: LtvSummary;
  /** The new document time-stamp's field. */
  field: string;
  /** The document time-stamp fields the file had before, in order. */
  previous: string[];
  /**
   * When the new time-stamp's TSA certificate expires (ISO 8601): the next round is due before
   * then. Null when the token names no certificate.
   */
  renewBefore: string | null;
  /** Length and SHA-256 of the file as it was: the prefix every later revision keeps. */
  before: { length: number; sha256: string };
}

/**
 * Adds a DSS round for the last time-stamp and a new document time-stamp over it. A signed
 * document without a document time-stamp (B-LT) becomes B-LTA; an unsigned one is refused.
 */
export async function renewArchiveTimestamp(pdf: Buffer, input: RenewInput): Promise<RenewResult> {
  if (!input.tsa) throw new IssueError('outgoing.issue.renew', 'renewing the archive time-stamp needs a TSA (issue.tsa)');
  const previous = await documentTimestampFields(pdf);
  const added = await addValidationData(pdf, input.sources);
  const names = new Set(await fieldNames(added.pdf));
  let n = previous.length + 1;
  let field = n === 1 ? DOC_TIMESTAMP_FIELD : `${DOC_TIMESTAMP_FIELD}-${n}`;
  while (names.has(field)) field = `${DOC_TIMESTAMP_FIELD}-${++n}`;
  const stamped = await addDocumentTimestamp(added.pdf, input.tsa, field);
  return {
    pdf: stamped,
    validation: added.summary,
    field,
    previous,
    renewBefore: (await tsaOf(stamped, field))?.notAfter.toISOString() ?? null,
    before: { length: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') },
  };
}

/** The names of the form's document time-stamp fields (/V /Type /DocTimeStamp or /SubFilter /ETSI.RFC3161). */
export async function documentTimestampFields(pdf: Buffer): Promise<string[]> {
  return (await fields(pdf)).filter((f) => f.docTimestamp).map((f) => f.name);
}

/**
 * When the TSA certificate of the newest document time-stamp expires: the file's archive
 * time-stamp must be renewed before then. Null for a file without a document time-stamp.
 */
export async function archiveExpiry(pdf: Buffer): Promise<Date | null> {
  const last = (await documentTimestampFields(pdf)).at(-1);
  return last ? ((await tsaOf(pdf, last))?.notAfter ?? null) : null;
}

/** The TSA certificate of the time-stamp token in field `name`. */
async function tsaOf(pdf: Buffer, name: string): Promise<CertInfo | null> {
  const field = (await fields(pdf)).find((f) => f.name === name);
  if (!field?.contents) return null;
  try {
    return checkSigners(parseSignedData(field.contents, true), null)[0]?.certificate ?? null;
  } catch {
    return null;
  }
}

async function fieldNames(pdf: Buffer): Promise<string[]> {
  return (await fields(pdf)).map((f) => f.name);
}

/** Every terminal field of the AcroForm with its full name (ISO 32000-1 §12.7.3.2). */
interface Field {
  name: string;
  docTimestamp: boolean;
  /** The signature value (/V /Contents, with its padding), when signed. */
  contents: Buffer | null;
}

async function fields(pdf: Buffer): Promise<Field[]> {
  const u = await IncrementalUpdate.load(pdf);
  const out: Field[] = [];
  const seen = new Set<PDFDict>();
  const walk = (list: PDFArray | undefined, prefix: string, depth: number) => {
    if (!list || depth > 16) return;
    for (let i = 0; i < list.size(); i++) {
      const field = list.lookupMaybe(i, PDFDict);
      if (!field || seen.has(field)) continue;
      seen.add(field);
      const t = field.lookupMaybe(PDFName.of('T'), PDFString, PDFHexString)?.decodeText() ?? '';
      const name = prefix && t ? `${prefix}.${t}` : prefix || t;
      const kids = field.lookupMaybe(PDFName.of('Kids'), PDFArray);
      const v = field.lookupMaybe(PDFName.of('V'), PDFDict);
      if (v || !kids) {
        const type = v?.lookupMaybe(PDFName.of('Type'), PDFName)?.asString();
        const sub = v?.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.asString();
        const contents = v?.lookupMaybe(PDFName.of('Contents'), PDFHexString);
        out.push({ name, docTimestamp: type === '/DocTimeStamp' || sub === '/ETSI.RFC3161', contents: contents ? Buffer.from(contents.asBytes()) : null });
      }
      walk(kids, name, depth + 1);
    }
  };
  const acro = u.doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  walk(acro?.lookupMaybe(PDFName.of('Fields'), PDFArray), '', 0);
  return out;
}
