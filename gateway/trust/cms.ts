/**
 * CMS SignedData (RFC 5652): the signature format under S/MIME, PDF signatures and RFC 3161
 * time-stamps. This module checks the cryptography of each signer (content digest, signed
 * attributes, signature value); whether the signer is trusted is chain.ts's question.
 */
import forge from 'node-forge';
import { parseDer, match, encode, children, bytesOf, oidOf, timeOf, attributes, integerHex, Class, Type, DerError, type Asn1, type Schema } from './der.ts';
import { algorithmId, digest, hashFromOid, signatureScheme, verifySignature, schemeName } from './algorithms.ts';
import { certificate, CertificateError, type CertInfo } from './certs.ts';
import { finding, type Finding } from './report.ts';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_DATA = '1.2.840.113549.1.7.1';
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_TIMESTAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

const contentInfoSchema: Schema = {
  name: 'ContentInfo',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'contentType', tagClass: Class.UNIVERSAL, type: Type.OID, capture: 'contentType' },
    { name: 'content', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, captureAsn1: 'content' },
  ],
};

const signedDataSchema: Schema = {
  name: 'SignedData',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'version', tagClass: Class.UNIVERSAL, type: Type.INTEGER },
    { name: 'digestAlgorithms', tagClass: Class.UNIVERSAL, type: Type.SET, constructed: true },
    {
      name: 'encapContentInfo',
      tagClass: Class.UNIVERSAL,
      type: Type.SEQUENCE,
      constructed: true,
      value: [
        { name: 'eContentType', tagClass: Class.UNIVERSAL, type: Type.OID, captureAsn1: 'eContentType' },
        { name: 'eContent', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, optional: true, captureAsn1: 'eContent' },
      ],
    },
    { name: 'certificates', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, optional: true, captureAsn1: 'certificates' },
    { name: 'crls', tagClass: Class.CONTEXT_SPECIFIC, type: 1, constructed: true, optional: true },
    { name: 'signerInfos', tagClass: Class.UNIVERSAL, type: Type.SET, constructed: true, captureAsn1: 'signerInfos' },
  ],
};

const signerInfoSchema: Schema = {
  name: 'SignerInfo',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'version', tagClass: Class.UNIVERSAL, type: Type.INTEGER },
    // issuerAndSerialNumber (SEQUENCE) or [0] subjectKeyIdentifier: either tag
    { name: 'sid', captureAsn1: 'sid' },
    { name: 'digestAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'digestAlg' },
    { name: 'signedAttrs', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, optional: true, captureAsn1: 'signedAttrs' },
    { name: 'signatureAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'sigAlg' },
    { name: 'signature', tagClass: Class.UNIVERSAL, type: Type.OCTETSTRING, captureAsn1: 'signature' },
    { name: 'unsignedAttrs', tagClass: Class.CONTEXT_SPECIFIC, type: 1, constructed: true, optional: true, captureAsn1: 'unsignedAttrs' },
  ],
};

export interface SignedData {
  eContentType: string;
  /** Encapsulated content (opaque S/MIME, time-stamps); null when detached. */
  eContent: Buffer | null;
  certificates: CertInfo[];
  signerInfos: Asn1[];
  /** Problems with bundled certificates that could not be read (they are skipped). */
  notes: string[];
}

export class CmsError extends Error {}

/** Parse a ContentInfo holding SignedData; throws CmsError when it is something else or malformed. */
export function parseSignedData(der: Buffer, trailing = false): SignedData {
  let root: Asn1;
  try {
    root = parseDer(der, trailing);
  } catch (err) {
    throw new CmsError(err instanceof DerError ? err.message : String(err));
  }
  const ci = match(root, contentInfoSchema);
  if (!ci) throw new CmsError('not a CMS ContentInfo');
  const contentType = forge.asn1.derToOid(ci.contentType);
  if (contentType !== OID_SIGNED_DATA) throw new CmsError(`CMS content is ${contentType}, not SignedData`);
  const sd = match(children(ci.content)[0], signedDataSchema);
  if (!sd) throw new CmsError('CMS SignedData structure not understood');
  const notes: string[] = [];
  const certificates: CertInfo[] = [];
  for (const c of children(sd.certificates)) {
    if (c.tagClass !== Class.UNIVERSAL || c.type !== Type.SEQUENCE) continue; // attribute certificates etc.
    try {
      certificates.push(certificate(encode(c)));
    } catch (err) {
      notes.push(`a certificate bundled with the signature is unreadable (${err instanceof CertificateError ? err.message : String(err)})`);
    }
  }
  return {
    eContentType: oidOf(sd.eContentType) ?? '',
    eContent: sd.eContent ? bytesOf(children(sd.eContent)[0]) : null,
    certificates,
    signerInfos: children(sd.signerInfos),
    notes,
  };
}

/** One signer's cryptographic check. */
export interface SignerCheck {
  certificate: CertInfo | null;
  /** Certificates that came with the signature, for path building. */
  pool: CertInfo[];
  /** Claimed by the signer (signed attribute), not proof of time. */
  signingTime: Date | null;
  signatureValue: Buffer;
  /** RFC 3161 token from the unsigned attributes, unverified. */
  timestampToken: Buffer | null;
  /** The ESS signing-certificate attribute (RFC 2634 v1, RFC 5035 v2) among the signed attributes, checked against the signer's certificate. */
  signingCertificate?: 'v1' | 'v2' | null;
  findings: Finding[];
}

/**
 * Check every signer over `content` (the detached content's parts, in order) or, when null, the
 * encapsulated content.
 */
export function checkSigners(sd: SignedData, content: readonly Buffer[] | null): SignerCheck[] {
  const parts = content ?? (sd.eContent ? [sd.eContent] : null);
  if (sd.signerInfos.length === 0) {
    return [emptyCheck(sd, [finding('indeterminate', 'the signature has no signer')])];
  }
  return sd.signerInfos.map((si) => checkSigner(sd, si, parts));
}

function emptyCheck(sd: SignedData, findings: Finding[]): SignerCheck {
  return {
    certificate: null,
    pool: sd.certificates,
    signingTime: null,
    signatureValue: Buffer.alloc(0),
    timestampToken: null,
    signingCertificate: null,
    findings,
  };
}

function checkSigner(sd: SignedData, node: Asn1, content: readonly Buffer[] | null): SignerCheck {
  const s = match(node, signerInfoSchema);
  if (!s) return emptyCheck(sd, [finding('invalid', 'signer information is malformed')]);
  const check = emptyCheck(
    sd,
    sd.notes.map((n) => finding('valid', n)),
  );
  check.signatureValue = bytesOf(s.signature);
  check.certificate = findSignerCertificate(s.sid, sd.certificates);
  const unsigned = attributes(s.unsignedAttrs);
  const token = unsigned.get(OID_TIMESTAMP_TOKEN)?.[0];
  check.timestampToken = token ? encode(token) : null;
  const signed = s.signedAttrs ? attributes(s.signedAttrs) : null;
  check.signingTime = timeOf(signed?.get(OID_SIGNING_TIME)?.[0]);

  const hash = hashFromOid(algorithmId(s.digestAlg)?.oid ?? null);
  const sigAlg = algorithmId(s.sigAlg);
  const scheme = sigAlg ? signatureScheme(sigAlg, hash) : 'malformed signature algorithm';
  if (!hash) return addFinding(check, 'indeterminate', 'unsupported digest algorithm');
  if (typeof scheme === 'string') return addFinding(check, 'indeterminate', scheme);
  if (!check.certificate) return addFinding(check, 'indeterminate', 'the signer certificate is not included in the signature');
  if (!content) return addFinding(check, 'indeterminate', 'the signed content is missing');

  const contentDigest = digest(hash, content);
  let signedBytes: readonly Buffer[] = content;
  if (signed) {
    const problem = signedAttributeProblem(signed, sd.eContentType, contentDigest);
    if (problem) check.findings.push(problem);
    const v2 = signed.get(OID_SIGNING_CERTIFICATE_V2)?.[0];
    const v1 = v2 ? undefined : signed.get(OID_SIGNING_CERTIFICATE)?.[0];
    if (v2 || v1) {
      check.signingCertificate = v2 ? 'v2' : 'v1';
      const essProblem = signingCertificateProblem((v2 ?? v1) as Asn1, v2 ? 'sha256' : 'sha1', check.certificate);
      if (essProblem) check.findings.push(essProblem);
    }
    // The signature covers the DER of the attributes with the SET tag, not the [0] of the field.
    signedBytes = [encode(forge.asn1.create(Class.UNIVERSAL, Type.SET, true, children(s.signedAttrs)))];
  }
  if (!verifySignature(check.certificate.publicKey, scheme, signedBytes, check.signatureValue)) {
    check.findings.push(finding('invalid', `the ${schemeName(scheme)} signature value does not verify with the signer's key`));
  }
  if (hash === 'sha1' || scheme.hash === 'sha1') {
    check.findings.push(finding('indeterminate', `signed with SHA-1 (${schemeName(scheme)}), which is no longer accepted as secure`));
  }
  return check;
}

function addFinding(check: SignerCheck, verdict: Finding['verdict'], reason: string): SignerCheck {
  check.findings.push(finding(verdict, reason));
  return check;
}

function signedAttributeProblem(signed: Map<string, Asn1[]>, eContentType: string, contentDigest: Buffer): Finding | null {
  const md = signed.get(OID_MESSAGE_DIGEST);
  if (md?.length !== 1) return finding('invalid', 'signed attributes lack a single message digest');
  if (!bytesOf(md[0]).equals(contentDigest)) {
    return finding('invalid', 'content digest mismatch: the content was changed after signing');
  }
  const ct = signed.get(OID_CONTENT_TYPE);
  if (!ct || oidOf(ct[0]) !== eContentType) return finding('invalid', 'signed content-type attribute does not match the content');
  return null;
}

/**
 * The ESS signing-certificate attribute binds the signer's certificate into the signed attributes
 * (RFC 5035 §3; required by CAdES and PAdES): its first ESSCertID(v2) must be the certificate that
 * verifies the signature — hash of the whole certificate and, when present, issuer and serial.
 * SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL };
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }
 * (v1: no hashAlgorithm, SHA-1); IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }.
 */
function signingCertificateProblem(value: Asn1, defaultHash: 'sha1' | 'sha256', cert: CertInfo): Finding | null {
  const name = defaultHash === 'sha256' ? 'signing-certificate-v2' : 'signing-certificate';
  const first = children(children(value)[0])[0];
  const fields = children(first);
  const algorithm = fields[0]?.tagClass === Class.UNIVERSAL && fields[0].type === Type.SEQUENCE ? fields.shift() : undefined;
  const [certHash, issuerSerial] = fields;
  if (!certHash || certHash.type !== Type.OCTETSTRING) return finding('invalid', `the ${name} signed attribute is malformed`);
  const hash = algorithm && defaultHash === 'sha256' ? hashFromOid(algorithmId(algorithm)?.oid ?? null) : defaultHash;
  if (!hash) return finding('indeterminate', `the ${name} signed attribute uses an unsupported hash algorithm`);
  const named = (() => {
    if (!bytesOf(certHash).equals(digest(hash, [cert.der]))) return false;
    if (!issuerSerial) return true;
    const [issuer, serial] = children(issuerSerial);
    const directoryNames = children(issuer).filter((g) => g.tagClass === Class.CONTEXT_SPECIFIC && g.type === 4);
    const sameIssuer = directoryNames.some((g) => children(g)[0] && encode(children(g)[0]).toString('hex') === cert.issuerName);
    return sameIssuer && integerHex(serial) === cert.serial;
  })();
  return named ? null : finding('invalid', `the ${name} signed attribute names another certificate than the signer's (${cert.label})`);
}

function findSignerCertificate(sid: Asn1, certs: readonly CertInfo[]): CertInfo | null {
  if (sid.tagClass === Class.CONTEXT_SPECIFIC && sid.type === 0) {
    const ski = bytesOf(sid).toString('hex');
    return certs.find((c) => c.subjectKeyId === ski) ?? null;
  }
  const [issuer, serial] = children(sid);
  if (!issuer || !serial) return null;
  const issuerName = encode(issuer).toString('hex');
  const serialHex = integerHex(serial);
  return certs.find((c) => c.issuerName === issuerName && c.serial === serialHex) ?? null;
}
