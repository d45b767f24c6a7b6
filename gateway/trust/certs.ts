/**
 * X.509 certificates as the trust code needs them. Node's X509Certificate (OpenSSL) does the
 * cryptography (issuer signature, public key); forge's decoder reads the fields Node does not
 * expose (key usage bits, names by attribute type). Parsed certificates are cached by
 * fingerprint: the same signer and CA certificates come back in message after message.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { parseDer, match, encode, children, bytesOf, integerHex, oidOf, timeOf, textOf, Class, Type, type Asn1, type Schema } from './der.ts';
import { algorithmId, type AlgorithmId } from './algorithms.ts';
import type { SignerIdentity } from './report.ts';

export interface KeyUsage {
  digitalSignature: boolean;
  nonRepudiation: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
}

export interface CertInfo {
  der: Buffer;
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
  x509: X509Certificate;
  publicKey: KeyObject;
  /** DER of the subject and issuer names, hex: names are compared byte for byte. */
  subjectName: string;
  issuerName: string;
  serial: string;
  identity: SignerIdentity;
  /** "CN=…, O=…" for reasons. */
  label: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  /** null when the certificate has no keyUsage extension (no restriction). */
  keyUsage: KeyUsage | null;
  /** Extended key usage OIDs; null when absent (no restriction). */
  extKeyUsage: string[] | null;
  subjectKeyId: string | null;
  signatureAlgorithm: AlgorithmId;
  selfIssued: boolean;
}

const certificateSchema: Schema = {
  name: 'Certificate',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    {
      name: 'tbsCertificate',
      tagClass: Class.UNIVERSAL,
      type: Type.SEQUENCE,
      constructed: true,
      value: [
        { name: 'version', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, optional: true },
        { name: 'serialNumber', tagClass: Class.UNIVERSAL, type: Type.INTEGER, captureAsn1: 'serial' },
        { name: 'signature', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true },
        { name: 'issuer', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'issuer' },
        {
          name: 'validity',
          tagClass: Class.UNIVERSAL,
          type: Type.SEQUENCE,
          constructed: true,
          value: [
            { name: 'notBefore', tagClass: Class.UNIVERSAL, captureAsn1: 'notBefore' },
            { name: 'notAfter', tagClass: Class.UNIVERSAL, captureAsn1: 'notAfter' },
          ],
        },
        { name: 'subject', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'subject' },
        { name: 'subjectPublicKeyInfo', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true },
        { name: 'issuerUniqueID', tagClass: Class.CONTEXT_SPECIFIC, type: 1, optional: true },
        { name: 'subjectUniqueID', tagClass: Class.CONTEXT_SPECIFIC, type: 2, optional: true },
        { name: 'extensions', tagClass: Class.CONTEXT_SPECIFIC, type: 3, constructed: true, optional: true, captureAsn1: 'extensions' },
      ],
    },
    { name: 'signatureAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'sigAlg' },
    { name: 'signatureValue', tagClass: Class.UNIVERSAL, type: Type.BITSTRING },
  ],
};

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_EMAIL = '1.2.840.113549.1.9.1';
const RFC822_NAME = 1;

const CACHE_LIMIT = 4096;
const cache = new Map<string, CertInfo>();

export class CertificateError extends Error {}

/** Parse (or fetch from cache) a DER certificate; throws CertificateError when malformed. */
export function certificate(der: Buffer): CertInfo {
  const fingerprint = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(fingerprint);
  if (hit) return hit;
  let info: CertInfo;
  try {
    info = parseCertificate(der, fingerprint);
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    throw new CertificateError(`certificate not understood (${err instanceof Error ? err.message : String(err)})`);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(fingerprint, info);
  return info;
}

/** For benchmarks of the cold path: forget every parsed certificate. */
export function clearCertificateCache(): void {
  cache.clear();
}

function parseCertificate(der: Buffer, fingerprint: string): CertInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (err) {
    throw new CertificateError(`unreadable certificate (${err instanceof Error ? err.message : String(err)})`);
  }
  const c = match(parseDer(der), certificateSchema);
  const notBefore = timeOf(c?.notBefore);
  const notAfter = timeOf(c?.notAfter);
  const sigAlg = algorithmId(c?.sigAlg);
  if (!c || !notBefore || !notAfter || !sigAlg) throw new CertificateError('certificate structure not understood');
  const extensions = readExtensions(c.extensions);
  const names = nameAttributes(c.subject);
  const subjectName = encode(c.subject).toString('hex');
  const issuerName = encode(c.issuer).toString('hex');
  const identity: SignerIdentity = {
    commonName: names.get(OID_CN) ?? null,
    organization: names.get(OID_O) ?? null,
    email: names.get(OID_EMAIL) ?? extensions.email,
  };
  return {
    der,
    fingerprint,
    x509,
    publicKey: x509.publicKey,
    subjectName,
    issuerName,
    serial: integerHex(c.serial),
    identity,
    label:
      [identity.commonName && `CN=${identity.commonName}`, identity.organization && `O=${identity.organization}`].filter(Boolean).join(', ') ||
      x509.subject.replace(/\n/g, ', '),
    notBefore,
    notAfter,
    isCA: x509.ca,
    keyUsage: extensions.keyUsage,
    extKeyUsage: extensions.extKeyUsage,
    subjectKeyId: extensions.subjectKeyId,
    signatureAlgorithm: sigAlg,
    selfIssued: subjectName === issuerName,
  };
}

/** First value of each attribute type in a Name, decoded to text. */
function nameAttributes(name: Asn1): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of forgePki.RDNAttributesAsArray(name)) if (!out.has(a.type)) out.set(a.type, textOf(a.value, a.valueTagClass));
  return out;
}

interface Extensions {
  keyUsage: KeyUsage | null;
  extKeyUsage: string[] | null;
  subjectKeyId: string | null;
  email: string | null;
}

type ForgeExtension = Record<string, unknown> & { name?: string; id: string; value: string };

/** forge functions its typings leave out; both work on any certificate, unlike certificateFromAsn1 (RSA only). */
const forgePki = forge.pki as unknown as {
  certificateExtensionFromAsn1(e: Asn1): ForgeExtension;
  RDNAttributesAsArray(name: Asn1): Array<{ type: string; value: string; valueTagClass: number }>;
};

function readExtensions(wrapper: Asn1 | undefined): Extensions {
  const out: Extensions = { keyUsage: null, extKeyUsage: null, subjectKeyId: null, email: null };
  for (const ext of children(children(wrapper)[0])) {
    const e = forgePki.certificateExtensionFromAsn1(ext);
    if (e.name === 'keyUsage') {
      out.keyUsage = {
        digitalSignature: e.digitalSignature === true,
        nonRepudiation: e.nonRepudiation === true,
        keyCertSign: e.keyCertSign === true,
        cRLSign: e.cRLSign === true,
      };
    } else if (e.id === '2.5.29.37') {
      out.extKeyUsage = children(parseDer(Buffer.from(e.value, 'binary')))
        .map(oidOf)
        .filter((o): o is string => o !== null);
    } else if (e.id === '2.5.29.14') {
      out.subjectKeyId = bytesOf(parseDer(Buffer.from(e.value, 'binary'))).toString('hex');
    } else if (e.name === 'subjectAltName') {
      const altNames = (e.altNames ?? []) as Array<{ type: number; value: string }>;
      out.email = altNames.find((n) => n.type === RFC822_NAME)?.value ?? null;
    }
  }
  return out;
}
