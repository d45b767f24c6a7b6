/**
 * The organisation's PDF signature, PAdES baseline B-B (ETSI EN 319 142-1; B-T with a TSA): a
 * /ByteRange placeholder is written with the signature dictionary (SubFilter ETSI.CAdES.detached) in
 * an incremental update, then filled in and the CMS written into /Contents (ISO 32000-1 §12.8.1,
 * docs/issuance.md). The CMS is built with pkijs and signed through Node's WebCrypto (RSA PKCS#1
 * v1.5 or ECDSA, SHA-256); its signed attributes are content-type, message-digest and the ESS
 * signing-certificate-v2 (RFC 5035) naming the unit's certificate, and no signing-time: the time
 * is the dictionary's /M. The checks of gateway/trust/pdf.ts (the gap is exactly the hex string of
 * this /Contents) hold for what is written here.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import { PDFArray, PDFHexString, PDFName, PDFNumber, PDFString, type PDFContext, type PDFDict } from 'pdf-lib';
import {
  Attribute,
  Certificate,
  ContentInfo,
  CryptoEngine,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedAndUnsignedAttributes,
  SignedData,
  SignerInfo,
} from 'pkijs';
import { IssueError } from './issue-error.ts';
import type { IssueKey } from './keys.ts';
import { fetchTimestamp } from './tsa.ts';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
};

/** Bytes reserved for the CMS: certificates of a chain of three fit with room to spare. */
export const SIGNATURE_SPACE = 16_384;
const BYTE_RANGE_PLACEHOLDER = '/**********';

export interface SignatureInfo {
  name: string;
  reason: string;
  location: string;
  at: Date;
}

/** A /ByteRange to fill in once the file's length is known, and a /Contents with room for the value. */
function placeholders(ctx: PDFContext): { ByteRange: PDFArray; Contents: PDFHexString } {
  const range = PDFArray.withContext(ctx);
  range.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) range.push(PDFName.of(BYTE_RANGE_PLACEHOLDER.slice(1)));
  return { ByteRange: range, Contents: PDFHexString.of('0'.repeat(SIGNATURE_SPACE * 2)) };
}

/** The signature dictionary with room for the signature value. */
export function signatureDict(ctx: PDFContext, info: SignatureInfo): PDFDict {
  return ctx.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ...placeholders(ctx),
    Name: PDFHexString.fromText(info.name),
    Reason: PDFHexString.fromText(info.reason),
    Location: PDFHexString.fromText(info.location),
    M: PDFString.fromDate(info.at),
  });
}

/**
 * A document time-stamp's dictionary (PAdES B-LTA, ETSI EN 319 142-1 §5.4.3): /Type /DocTimeStamp,
 * SubFilter ETSI.RFC3161, its /Contents an RFC 3161 token over the byte ranges (ltv.ts).
 */
export function documentTimestampDict(ctx: PDFContext): PDFDict {
  return ctx.obj({
    Type: 'DocTimeStamp',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.RFC3161',
    ...placeholders(ctx),
  });
}

/** Fills the last /ByteRange placeholder of `pdf` and signs the ranges it names; with a TSA URL, time-stamps the signature. */
export async function signPlaceholder(pdf: Buffer, key: IssueKey, tsa?: string | null): Promise<Buffer> {
  return fillPlaceholder(pdf, (signed) => cadesDetached(signed, key, { stamp: tsa ? (value) => fetchTimestamp(tsa, value) : undefined }));
}

/** Fills the last /ByteRange placeholder of `pdf` and writes into its /Contents what `make` gives for the bytes it covers. */
export async function fillPlaceholder(pdf: Buffer, make: (signed: Buffer) => Promise<Buffer>): Promise<Buffer> {
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
  const cms = await make(signed);
  if (cms.length > c[1].length / 2)
    throw new IssueError('outgoing.issue.signature_space', `the signature (${cms.length} bytes) does not fit the ${c[1].length / 2} reserved`);
  out.write(cms.toString('hex').padEnd(c[1].length, '0'), b + 1, 'latin1');
  return out;
}

/** pkijs's crypto engine, except that the signature comes from the unit's key, in a file or on a token (keys.ts). */
class SignerEngine extends CryptoEngine {
  constructor(private readonly key: IssueKey) {
    super({ name: 'node', crypto: webcrypto as unknown as Crypto });
  }

  override async signWithPrivateKey(data: BufferSource): Promise<ArrayBuffer> {
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const signature = await this.key.sign(Buffer.from(bytes));
    return new Uint8Array(signature).buffer;
  }
}

/**
 * CMS SignedData over `content`, detached (CAdES-B-B as PAdES uses it): signed attributes
 * content-type, message-digest, signing-certificate-v2; the certificate and its chain included.
 * With `stamp`, the signature value is time-stamped and the token added as the unsigned attribute
 * id-aa-signatureTimeStampToken (RFC 3161 Appendix A). `essCertificate` is the certificate the
 * signing-certificate-v2 attribute names, the signer's unless a test substitutes another.
 */
export async function cadesDetached(
  content: Buffer,
  key: IssueKey,
  opts: { stamp?: (signatureValue: Buffer) => Promise<Buffer>; essCertificate?: Buffer } = {},
): Promise<Buffer> {
  const cert = Certificate.fromBER(new Uint8Array(key.certificate));
  const named = opts.essCertificate ?? key.certificate;
  const attrs = [
    new Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: sha256(content) })] }),
    new Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(named, Certificate.fromBER(new Uint8Array(named)))] }),
  ];
  // DER: a SET OF is sorted by the encodings of its elements.
  attrs.sort((a, b) => Buffer.compare(Buffer.from(a.toSchema().toBER()), Buffer.from(b.toSchema().toBER())));
  const signedData = new SignedData({
    version: 1,
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...key.chain.map((c) => Certificate.fromBER(new Uint8Array(c)))],
    signerInfos: [
      new SignerInfo({
        version: 1,
        sid: new IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new SignedAndUnsignedAttributes({ type: 0, attributes: attrs }),
      }),
    ],
  });
  // pkijs reads only the algorithm from the key it is given; the signing itself is the signer's.
  const handle = { type: 'private', algorithm: key.algorithm, extractable: false, usages: ['sign'] } as unknown as CryptoKey;
  await signedData.sign(handle, 0, 'SHA-256', undefined, new SignerEngine(key));
  const signer = signedData.signerInfos[0];
  if (opts.stamp) {
    const token = await opts.stamp(Buffer.from(signer.signature.valueBlock.valueHexView));
    const parsed = asn1js.fromBER(new Uint8Array(token));
    if (parsed.offset === -1) throw new IssueError('outgoing.issue.tsa', 'the time-stamp token is not DER');
    signer.unsignedAttrs = new SignedAndUnsignedAttributes({ type: 1, attributes: [new Attribute({ type: OID.timeStampToken, values: [parsed.result] })] });
  }
  const info = new ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(info.toSchema().toBER());
}

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with one ESSCertIDv2
 * { certHash (SHA-256, the default algorithm, so not written), issuerSerial { issuer GeneralNames
 * (directoryName), serialNumber } } (RFC 5035).
 */
function signingCertificateV2(der: Buffer, cert: Certificate): asn1js.Sequence {
  const issuer = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] });
  const issuerSerial = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [issuer] }), cert.serialNumber] });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: sha256(der) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

function sha256(data: Buffer): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
