/**
 * PDF signatures (ISO 32000 §12.8). A signature dictionary's /ByteRange [a b c d] names the
 * signed bytes: [a, a+b) and [c, c+d), leaving exactly the hex string of /Contents unsigned.
 * Every number in it is attacker-controlled, so the range is checked against the file before
 * any of it is trusted. Bytes after c+d are later incremental updates: the signed revision may
 * still be intact, which is what `modifiedAfterSigning` tells the clerk.
 */
import { parseSignedData, checkSigners, CmsError } from './cms.ts';
import { checkTimestamp } from './timestamp.ts';
import { assessSigner, unreadable, type LayerInfo, type TrustContext } from './assess.ts';
import { finding, signature, type Finding, type SignatureReport } from './report.ts';

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
  return signatureFields(bytes).map((field) => verifyField(bytes, field, ctx, attachment));
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

function verifyField(bytes: Buffer, field: Field, ctx: TrustContext, attachment: string | null): SignatureReport {
  const info: LayerInfo = { layer: 'pdf', attachment };
  if (!field.range) return unreadable(info, 'indeterminate', 'signature field with an unfilled or malformed /ByteRange');
  const [a, b, c, d] = field.range;
  const problem = rangeProblem(bytes, field.at, field.range);
  if (problem) return unreadable(info, 'invalid', `/ByteRange [${a} ${b} ${c} ${d}]: ${problem}`);

  const trailing = bytes.subarray(c + d);
  const added = trailing.length - countWhitespace(trailing);
  info.modifiedAfterSigning = added > 0;
  if (added > 0) {
    info.findings = [finding('valid', `${trailing.length} bytes were added after the signed revision (incremental update); this signature does not cover them`)];
  }
  const dict = dictionaryText(bytes, field.at, b, c);
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(dict)?.[1] ?? null;
  const hex = bytes.subarray(b + 1, c - 1).toString('latin1').replace(/\s+/g, '');
  if (hex.length % 2 !== 0) return unreadable(info, 'invalid', 'signature value is not a whole number of bytes');
  const cms = Buffer.from(hex, 'hex');
  if (cms.every((x) => x === 0)) return unreadable(info, 'indeterminate', 'signature field is not signed (empty /Contents)');
  const content = [bytes.subarray(0, b), bytes.subarray(c, c + d)];

  if (subFilter === 'ETSI.RFC3161') return documentTimestamp(cms, content, ctx, info);
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
  return assessSigner(check, ctx, info);
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

function documentTimestamp(token: Buffer, content: Buffer[], ctx: TrustContext, info: LayerInfo): SignatureReport {
  const ts = checkTimestamp(token, content, ctx.store, ctx.now, true);
  const findings: Finding[] = info.findings ?? [];
  return signature('pdf', ts.verdict, {
    signer: ts.tsa?.identity ?? null,
    signedAt: ts.claimedTime?.toISOString() ?? null,
    attachment: info.attachment,
    modifiedAfterSigning: info.modifiedAfterSigning,
    reasons: ['document time-stamp (ETSI.RFC3161)', ...ts.reasons, ...findings.map((f) => f.reason)],
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
