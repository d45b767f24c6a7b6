/**
 * The organisation's PDF signature: a /ByteRange placeholder is written with the signature
 * dictionary in an incremental update, then filled in and the CMS (detached, SHA-256, signed
 * attributes content-type, message-digest, signing-time) written into /Contents
 * (ISO 32000-1 §12.8.1, docs/issuance.md). The checks of gateway/trust/pdf.ts (the gap is exactly
 * the hex string of this /Contents) hold for what is written here.
 */
import forge from 'node-forge';
import { PDFArray, PDFHexString, PDFName, PDFNumber, PDFString, type PDFContext, type PDFDict } from 'pdf-lib';
import { withOriginalIssuer, type SmimeKey } from '../sign.ts';
import { IssueError } from './incremental.ts';
import { addSignatureTimestamp, fetchTimestamp } from './tsa.ts';

/** Bytes reserved for the CMS: certificates of a chain of three fit with room to spare. */
export const SIGNATURE_SPACE = 16_384;
const BYTE_RANGE_PLACEHOLDER = '/**********';

export interface SignatureInfo {
  name: string;
  reason: string;
  location: string;
  at: Date;
}

/** The signature dictionary with room for the signature value. */
export function signatureDict(ctx: PDFContext, info: SignatureInfo): PDFDict {
  const range = PDFArray.withContext(ctx);
  range.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) range.push(PDFName.of(BYTE_RANGE_PLACEHOLDER.slice(1)));
  return ctx.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'adbe.pkcs7.detached',
    ByteRange: range,
    Contents: PDFHexString.of('0'.repeat(SIGNATURE_SPACE * 2)),
    Name: PDFHexString.fromText(info.name),
    Reason: PDFHexString.fromText(info.reason),
    Location: PDFHexString.fromText(info.location),
    M: PDFString.fromDate(info.at),
  });
}

/** Fills the last /ByteRange placeholder of `pdf` and signs the ranges it names; with a TSA URL, time-stamps the signature. */
export async function signPlaceholder(pdf: Buffer, key: SmimeKey, at: Date, tsa?: string | null): Promise<Buffer> {
  const text = pdf.toString('latin1');
  const placeholder = /\/ByteRange\s*\[\s*0\s+\/\*{10}\s+\/\*{10}\s+\/\*{10}\s*\]/g;
  let match: RegExpExecArray | null = null;
  for (let m = placeholder.exec(text); m; m = placeholder.exec(text)) match = m;
  if (!match) throw new IssueError('outgoing.issue.placeholder', 'no signature placeholder in the update');
  const contents = /\/Contents\s*<(0+)>/g;
  contents.lastIndex = match.index;
  const c = contents.exec(text);
  if (!c || text.slice(match.index, c.index).includes('endobj')) throw new IssueError('outgoing.issue.placeholder', 'the placeholder has no /Contents');
  const b = c.index + c[0].indexOf('<');
  const end = b + c[1].length + 2;
  const range = `/ByteRange [0 ${b} ${end} ${pdf.length - end}]`;
  if (range.length > match[0].length) throw new IssueError('outgoing.issue.placeholder', 'the byte range does not fit its placeholder');
  const out = Buffer.from(pdf);
  out.write(range.padEnd(match[0].length, ' '), match.index, 'latin1');
  const signed = Buffer.concat([out.subarray(0, b), out.subarray(end)]);
  let cms = cmsDetached(signed, key, at);
  if (tsa) cms = await addSignatureTimestamp(cms, (value) => fetchTimestamp(tsa, value));
  if (cms.length > c[1].length / 2)
    throw new IssueError('outgoing.issue.signature_space', `the signature (${cms.length} bytes) does not fit the ${c[1].length / 2} reserved`);
  out.write(cms.toString('hex').padEnd(c[1].length, '0'), b + 1, 'latin1');
  return out;
}

function cmsDetached(content: Buffer, key: SmimeKey, at: Date): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.addCertificate(key.cert);
  for (const cert of key.chain) p7.addCertificate(cert);
  p7.addSigner({
    key: key.key as never,
    certificate: key.cert,
    digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.messageDigest },
      { type: forge.pki.oids.signingTime, value: at as unknown as string },
    ],
  });
  p7.sign({ detached: true });
  return Buffer.from(forge.asn1.toDer(withOriginalIssuer(p7.toAsn1(), key.cert)).getBytes(), 'binary');
}
