/**
 * PDF signatures (ISO 32000 §12.8). A signature dictionary's /ByteRange [a b c d] names the
 * signed bytes: [a, a+b) and [c, c+d), leaving exactly the hex string of /Contents unsigned.
 * Every number in it is attacker-controlled, so the range is checked against the file before
 * any of it is trusted. Bytes after c+d are later incremental updates: the signed revision may
 * still be intact, which is what `modifiedAfterSigning` tells the clerk, and pdf-changes.ts
 * judges what the update changed (`changesAfterSigning`): a forbidden change makes the signature
 * `invalid` — it no longer vouches for what the file shows. Long-term validation (time-stamps of
 * later revisions, the DSS, PAdES levels) is pdf-ltv.ts's.
 */
import { createHash } from 'node:crypto';
import { PdfFile } from '../documents/sources/pdf-objects.ts';
import { analyseChanges } from './pdf-changes.ts';
import { archiveWarning, LongTerm } from './pdf-ltv.ts';
import { parseSignedData, checkSigners, CmsError } from './cms.ts';
import { checkTimestamp } from './timestamp.ts';
import { assessSigner, pdfExtras, unreadable, type LayerInfo, type TrustContext } from './assess.ts';
import { finding, signature, worst, type Finding, type SignatureReport } from './report.ts';

const BYTE_RANGE = Buffer.from('/ByteRange');
const CONTENTS = Buffer.from('/Contents');
const ENDOBJ = Buffer.from('endobj');
const LT = 0x3c;
const GT = 0x3e;

interface Field {
  /** Offset of "/ByteRange". */
  at: number;
  range: [number, number, number, number] | null;
}

export function verifyPdf(bytes: Buffer, ctx: TrustContext, attachment: string | null = null): SignatureReport[] {
  if (!bytes.subarray(0, 1024).includes('%PDF-')) {
    return [unreadable({ layer: 'pdf', attachment }, 'indeterminate', 'not a PDF document (no %PDF header)')];
  }
  // The final file's object graph is read once for all of its signatures, and only when needed.
  let final: PdfFile | undefined;
  const finalFile = () => (final ??= new PdfFile(bytes));
  // Last to first: a later revision's time-stamp proves when the earlier signatures existed (pdf-ltv.ts).
  const fields = signatureFields(bytes);
  const ltv = new LongTerm(bytes, finalFile);
  const reports: SignatureReport[] = [];
  for (let i = fields.length - 1; i >= 0; i--) reports[i] = verifyField(bytes, fields[i], ctx, attachment, finalFile, ltv);
  return reports;
}

/**
 * The revisions of a PDF its signatures cover, for signatures that do not cover the whole file:
 * exactly the bytes that were signed, so a clerk can open what the signer saw.
 */
export function signedRevisions(bytes: Buffer): Array<{ signature: number; length: number; sha256: string; bytes: Buffer }> {
  const out: Array<{ signature: number; length: number; sha256: string; bytes: Buffer }> = [];
  signatureFields(bytes).forEach((field, i) => {
    if (!field.range || rangeProblem(bytes, field.at, field.range)) return;
    const end = field.range[2] + field.range[3];
    if (!addedAfter(bytes, end)) return;
    const revision = bytes.subarray(0, end);
    out.push({ signature: i, length: end, sha256: sha256(revision), bytes: revision });
  });
  return out;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Bytes other than whitespace after the signed range. */
function addedAfter(bytes: Buffer, end: number): number {
  const trailing = bytes.subarray(end);
  return trailing.length - countWhitespace(trailing);
}

function signatureFields(bytes: Buffer): Field[] {
  const fields: Field[] = [];
  for (let at = bytes.indexOf(BYTE_RANGE); at >= 0; at = bytes.indexOf(BYTE_RANGE, at + BYTE_RANGE.length)) {
    const text = bytes.subarray(at + BYTE_RANGE.length, at + BYTE_RANGE.length + 120).toString('latin1');
    const m = /^\s*\[\s*(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s*\]/.exec(text);
    fields.push({ at, range: m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : null });
  }
  return fields;
}

function verifyField(bytes: Buffer, field: Field, ctx: TrustContext, attachment: string | null, finalFile: () => PdfFile, ltv: LongTerm): SignatureReport {
  const info: LayerInfo = { layer: 'pdf', attachment };
  if (!field.range) return unreadable(info, 'indeterminate', 'signature field with an unfilled or malformed /ByteRange');
  const [a, b, c, d] = field.range;
  const problem = rangeProblem(bytes, field.at, field.range);
  if (problem) return unreadable(info, 'invalid', `/ByteRange [${a} ${b} ${c} ${d}]: ${problem}`);

  if (addedAfter(bytes, c + d) > 0) changesAfter(bytes, c + d, info, finalFile);
  const dict = dictionaryText(bytes, field.at, b, c);
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(dict)?.[1] ?? null;
  const hex = bytes
    .subarray(b + 1, c - 1)
    .toString('latin1')
    .replace(/\s+/g, '');
  if (hex.length % 2 !== 0) return unreadable(info, 'invalid', 'signature value is not a whole number of bytes');
  const cms = Buffer.from(hex, 'hex');
  if (cms.every((x) => x === 0)) return unreadable(info, 'indeterminate', 'signature field is not signed (empty /Contents)');
  const content = [bytes.subarray(0, b), bytes.subarray(c, c + d)];

  if (subFilter === 'ETSI.RFC3161') return documentTimestamp(cms, content, ctx, info, ltv, field.range);
  if (subFilter !== null && subFilter !== 'adbe.pkcs7.detached' && subFilter !== 'ETSI.CAdES.detached') {
    const why = subFilter === 'adbe.pkcs7.sha1' || subFilter === 'adbe.x509.rsa_sha1' ? ' (SHA-1 based, no longer accepted)' : '';
    return unreadable(info, 'indeterminate', `unsupported signature format /SubFilter /${subFilter}${why}`);
  }
  let sd;
  try {
    sd = parseSignedData(cms, true);
  } catch (err) {
    return unreadable(info, 'invalid', `signature value is not a readable CMS signature: ${err instanceof CmsError ? err.message : String(err)}`);
  }
  if (sd.eContent) return unreadable(info, 'indeterminate', 'detached PDF signature carries encapsulated content');
  const [check] = checkSigners(sd, content);
  // /M sits inside the signed range, so it is the signer's claim just like a signing-time attribute.
  check.signingTime ??= pdfDate(/\/M\s*\(([^)]*)\)/.exec(dict)?.[1]);
  info.longTerm = { ...ltv.infoFor(c + d, cms), archived: ltv.archived(c + d) };
  if (ltv.notes.length) info.findings = [...(info.findings ?? []), ...ltv.notes.map((n) => finding('valid', n))];
  const report = assessSigner(check, ctx, info);
  // A warning, not a verdict: the signature stands today; its archive needs renewing (pdf-ltv.ts).
  const overdue = archiveWarning(info.longTerm.archiveExpires, ctx.now);
  if (overdue) report.reasons.push(overdue);
  // Its own time-stamp proves when the earlier revisions existed, if the signature value verifies.
  const stamped = info.longTerm.timestamped;
  if (stamped && !check.findings.some((f) => f.verdict === 'invalid')) {
    ltv.prove(field.range, stamped, `the time-stamp on the signature of ${check.certificate?.label ?? 'a later signer'}`, false);
  }
  return report;
}

/** Why this /ByteRange cannot be a faithful description of a signature over the file, or null. */
function rangeProblem(bytes: Buffer, at: number, [a, b, c, d]: [number, number, number, number]): string | null {
  if (a !== 0) return 'the signed range does not start at the beginning of the file';
  if (b < 1 || c < b + 2) return 'the ranges overlap or are empty';
  if (c + d > bytes.length) return `it claims ${c + d} bytes but the file has only ${bytes.length}`;
  if (bytes[b] !== LT || bytes[c - 1] !== GT || !/^[0-9A-Fa-f\s]*$/.test(bytes.subarray(b + 1, c - 1).toString('latin1'))) {
    return 'the unsigned gap is not exactly the signature value: bytes outside /Contents are left out of the signature';
  }
  let k = b - 1;
  while (k > 0 && isWhitespace(bytes[k])) k--;
  const key = bytes.subarray(k + 1 - CONTENTS.length, k + 1);
  const sameObject = bytes.subarray(Math.min(at, b), Math.max(at, c)).indexOf(ENDOBJ) < 0;
  if (!key.equals(CONTENTS) || !sameObject) return 'the unsigned gap is not the /Contents of this signature';
  return null;
}

/** The signature dictionary's text around /ByteRange, without the (large) /Contents value. */
function dictionaryText(bytes: Buffer, at: number, b: number, c: number): string {
  const start = Math.max(0, Math.min(at, b) - 4096);
  const end = Math.min(bytes.length, Math.max(at, c) + 4096);
  const before = bytes.subarray(start, b).toString('latin1');
  const after = bytes.subarray(c, end).toString('latin1');
  const from = before.lastIndexOf(' obj');
  const to = after.indexOf('endobj');
  return (from >= 0 ? before.slice(from) : before) + (to >= 0 ? after.slice(0, to) : after);
}

/** Judges the bytes added after the signed revision: the findings and the report's change fields. */
function changesAfter(bytes: Buffer, end: number, info: LayerInfo, finalFile: () => PdfFile): void {
  let final: PdfFile | undefined;
  try {
    final = finalFile();
  } catch {
    // analyseChanges reports the unreadable file itself
  }
  const analysis = analyseChanges(bytes, end, final);
  const list = analysis.changes.map((c) => c.en).join('; ');
  const added = `${bytes.length - end} bytes were added after the signed revision (incremental update); this signature does not cover them`;
  info.modifiedAfterSigning = true;
  info.changesAfterSigning = analysis.verdict;
  info.changes = analysis.changes;
  info.signedRevision = { length: end, sha256: sha256(bytes.subarray(0, end)) };
  const mdp = analysis.docMdp === null ? '' : ` (certified, DocMDP P=${analysis.docMdp})`;
  info.findings = [
    analysis.verdict === 'forbidden'
      ? finding(
          'invalid',
          `the document was changed after signing in ways the signature does not allow${mdp}: ${analysis.changes
            .filter((c) => !c.permitted)
            .map((c) => c.en)
            .join('; ')}`,
        )
      : analysis.verdict === 'unknown'
        ? finding('indeterminate', `the changes made after signing could not be judged: ${list}`)
        : finding('valid', `changes after signing are permitted${mdp}: ${list}`),
    finding('valid', added),
  ];
}

function documentTimestamp(
  token: Buffer,
  content: Buffer[],
  ctx: TrustContext,
  info: LayerInfo,
  ltv: LongTerm,
  range: [number, number, number, number],
): SignatureReport {
  const ts = checkTimestamp(token, content, ctx.store, ctx.now, true, ltv.embedded());
  if (ts.time) ltv.prove(range, ts.time, `the document time-stamp by ${ts.tsa?.label ?? 'a TSA'}`, true, ts.tsa?.notAfter ?? null);
  const findings: Finding[] = info.findings ?? [];
  const verdict = worst([ts.verdict, ...findings.map((f) => f.verdict)]);
  const bad = findings.filter((f) => f.verdict !== 'valid').map((f) => f.reason);
  return signature('pdf', verdict, {
    signer: ts.tsa?.identity ?? null,
    signedAt: ts.claimedTime?.toISOString() ?? null,
    ...pdfExtras(info),
    reasons: [...bad, 'document time-stamp (ETSI.RFC3161)', ...ts.reasons, ...findings.filter((f) => f.verdict === 'valid').map((f) => f.reason)],
  });
}

function isWhitespace(x: number | undefined): boolean {
  return x === 0x20 || x === 0x0a || x === 0x0d || x === 0x09 || x === 0x0c || x === 0x00;
}

function countWhitespace(tail: Buffer): number {
  let n = 0;
  for (const x of tail) if (isWhitespace(x)) n++;
  return n;
}

/** PDF date string "D:YYYYMMDDHHmmSSOHH'mm'" → Date, or null. */
export function pdfDate(text: string | undefined): Date | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(text ?? '');
  if (!m) return null;
  const [, y, mo = '01', dd = '01', hh = '00', mi = '00', ss = '00', sign, oh = '00', om = '00'] = m;
  const offset = sign === '+' || sign === '-' ? `${sign}${oh}:${om}` : 'Z';
  const date = new Date(`${y}-${mo}-${dd}T${hh}:${mi}:${ss}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
