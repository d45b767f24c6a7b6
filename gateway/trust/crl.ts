/**
 * Certificate revocation lists, from configured files or a PDF's DSS (pdf-dss.ts); OCSP responses
 * only from a DSS (ocsp.ts: the verifier does not go to the network). A CRL counts only once its
 * signature verifies with the key of the certificate that issued the certificate in question.
 */
import { parseDer, match, encode, children, bytesOf, integerHex, timeOf, Class, Type, type Schema } from './der.ts';
import { algorithmId, signatureScheme, verifySignature, type AlgorithmId } from './algorithms.ts';
import type { CertInfo } from './certs.ts';

export interface CrlInfo {
  /** Where it came from, for reasons. */
  source: string;
  /** The CRL as read (issuance embeds it in a PDF's DSS). */
  der: Buffer;
  /** DER of the issuer name, hex (compared with a certificate's issuerName). */
  issuerName: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Serial (hex, as CertInfo.serial) → revocation date. */
  revoked: Map<string, Date>;
  tbs: Buffer;
  signatureAlgorithm: AlgorithmId;
  signature: Buffer;
}

const crlSchema: Schema = {
  name: 'CertificateList',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'tbsCertList', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'tbs' },
    { name: 'signatureAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'sigAlg' },
    { name: 'signatureValue', tagClass: Class.UNIVERSAL, type: Type.BITSTRING, captureAsn1: 'sig' },
  ],
};

export class CrlError extends Error {}

export function parseCrl(der: Buffer, source: string): CrlInfo {
  const c = match(parseDer(der), crlSchema);
  const signatureAlgorithm = algorithmId(c?.sigAlg);
  if (!c || !signatureAlgorithm) throw new CrlError(`${source}: not a CRL`);
  // tbsCertList: version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
  const fields = children(c.tbs);
  let i = fields[0]?.type === Type.INTEGER ? 1 : 0;
  const issuer = fields[i + 1];
  const thisUpdate = timeOf(fields[i + 2]);
  i += 3;
  const nextUpdate = timeOf(fields[i]);
  if (nextUpdate) i++;
  const list = fields[i]?.tagClass === Class.UNIVERSAL && fields[i]?.type === Type.SEQUENCE ? children(fields[i]) : [];
  if (!issuer || !thisUpdate) throw new CrlError(`${source}: CRL structure not understood`);
  const revoked = new Map<string, Date>();
  for (const entry of list) {
    const [serial, date] = children(entry);
    const when = timeOf(date);
    if (serial && when) revoked.set(integerHex(serial), when);
  }
  return {
    source,
    der,
    issuerName: encode(issuer).toString('hex'),
    thisUpdate,
    nextUpdate,
    revoked,
    tbs: encode(c.tbs),
    signatureAlgorithm,
    // BIT STRING content: the first octet counts unused bits (always 0 for signatures).
    signature: bytesOf(c.sig).subarray(1),
  };
}

const verified = new WeakMap<CrlInfo, Map<string, boolean>>();

/** Whether `issuer` signed this CRL (memoised: a CRL is checked against few issuers). */
export function crlSignedBy(crl: CrlInfo, issuer: CertInfo): boolean {
  let byIssuer = verified.get(crl);
  if (!byIssuer) verified.set(crl, (byIssuer = new Map()));
  const known = byIssuer.get(issuer.fingerprint);
  if (known !== undefined) return known;
  const scheme = signatureScheme(crl.signatureAlgorithm, null);
  const ok =
    crl.issuerName === issuer.subjectName &&
    typeof scheme !== 'string' &&
    (issuer.keyUsage === null || issuer.keyUsage.cRLSign) &&
    verifySignature(issuer.publicKey, scheme, [crl.tbs], crl.signature);
  byIssuer.set(issuer.fingerprint, ok);
  return ok;
}
