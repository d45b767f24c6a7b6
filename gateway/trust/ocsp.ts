/**
 * OCSP responses (RFC 6960) as a PDF's DSS carries them (PAdES B-LT, docs/security-signatures.md):
 * read, never fetched — the verifier does not go to the network. A response counts for a
 * certificate only when its signature verifies with the key of the certificate's issuer, or of a
 * responder certificate that issuer signed for OCSP signing (id-kp-OCSPSigning, RFC 6960 §4.2.2.2).
 * Decoded with node-forge's validators like the CRLs (crl.ts).
 */
import { createHash } from 'node:crypto';
import { parseDer, match, encode, children, bytesOf, integerHex, oidOf, timeOf, Class, Type, type Asn1, type Schema } from './der.ts';
import { algorithmId, hashFromOid, signatureScheme, verifySignature, type AlgorithmId } from './algorithms.ts';
import { certificate, type CertInfo } from './certs.ts';

const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

export interface OcspEntry {
  /** The certificate asked about: hash algorithm and hashes of its issuer's name and key, serial (hex). */
  hash: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serial: string;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt: Date | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

export interface OcspInfo {
  source: string;
  producedAt: Date;
  entries: OcspEntry[];
  /** Certificates the responder sent (a delegated responder's). */
  certs: CertInfo[];
  tbs: Buffer;
  signatureAlgorithm: AlgorithmId;
  signature: Buffer;
}

export class OcspError extends Error {}

const responseSchema: Schema = {
  name: 'OCSPResponse',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'responseStatus', tagClass: Class.UNIVERSAL, type: Type.ENUMERATED, captureAsn1: 'status' },
    {
      name: 'responseBytes',
      tagClass: Class.CONTEXT_SPECIFIC,
      type: 0,
      constructed: true,
      optional: true,
      value: [
        {
          name: 'ResponseBytes',
          tagClass: Class.UNIVERSAL,
          type: Type.SEQUENCE,
          constructed: true,
          value: [
            { name: 'responseType', tagClass: Class.UNIVERSAL, type: Type.OID, captureAsn1: 'type' },
            { name: 'response', tagClass: Class.UNIVERSAL, type: Type.OCTETSTRING, captureAsn1: 'response' },
          ],
        },
      ],
    },
  ],
};

const basicSchema: Schema = {
  name: 'BasicOCSPResponse',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'tbsResponseData', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'tbs' },
    { name: 'signatureAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'sigAlg' },
    { name: 'signature', tagClass: Class.UNIVERSAL, type: Type.BITSTRING, captureAsn1: 'sig' },
    { name: 'certs', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, optional: true, captureAsn1: 'certs' },
  ],
};

const certIdSchema: Schema = {
  name: 'CertID',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'hashAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'hashAlg' },
    { name: 'issuerNameHash', tagClass: Class.UNIVERSAL, type: Type.OCTETSTRING, captureAsn1: 'nameHash' },
    { name: 'issuerKeyHash', tagClass: Class.UNIVERSAL, type: Type.OCTETSTRING, captureAsn1: 'keyHash' },
    { name: 'serialNumber', tagClass: Class.UNIVERSAL, type: Type.INTEGER, captureAsn1: 'serial' },
  ],
};

/** An OCSPResponse (or a bare BasicOCSPResponse, as some producers store it); throws OcspError. */
export function parseOcsp(der: Buffer, source: string): OcspInfo {
  let root: Asn1;
  try {
    root = parseDer(der);
  } catch (err) {
    throw new OcspError(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let basic = match(root, basicSchema);
  if (!basic) {
    const r = match(root, responseSchema);
    if (!r) throw new OcspError(`${source}: not an OCSP response`);
    const status = bytesOf(r.status)[0];
    if (status !== 0) throw new OcspError(`${source}: the OCSP responder answered status ${status} (not successful)`);
    if (oidOf(r.type) !== OID_BASIC) throw new OcspError(`${source}: not a basic OCSP response`);
    try {
      basic = match(parseDer(bytesOf(r.response)), basicSchema);
    } catch {
      basic = null;
    }
    if (!basic) throw new OcspError(`${source}: basic OCSP response not understood`);
  }
  const signatureAlgorithm = algorithmId(basic.sigAlg);
  // ResponseData: version [0]?, responderID ([1] or [2]), producedAt, responses, extensions [1]?
  const fields = children(basic.tbs);
  const i = fields[0]?.tagClass === Class.CONTEXT_SPECIFIC && fields[0].type === 0 ? 1 : 0;
  const producedAt = timeOf(fields[i + 1]);
  if (!signatureAlgorithm || !producedAt) throw new OcspError(`${source}: OCSP response data not understood`);
  const entries = children(fields[i + 2]).map((single) => entry(single, source));
  const certs: CertInfo[] = [];
  for (const c of children(children(basic.certs)[0])) {
    try {
      certs.push(certificate(encode(c)));
    } catch {
      // an unreadable responder certificate only means the response may not verify
    }
  }
  return { source, producedAt, entries, certs, tbs: encode(basic.tbs), signatureAlgorithm, signature: bytesOf(basic.sig).subarray(1) };
}

function entry(single: Asn1, source: string): OcspEntry {
  // SingleResponse: certID, certStatus (good [0] | revoked [1] | unknown [2]), thisUpdate, nextUpdate [0]?
  const [id, status, thisUpdate, next] = children(single);
  const c = match(id, certIdSchema);
  const hash = hashFromOid(algorithmId(c?.hashAlg)?.oid ?? null);
  const updated = timeOf(thisUpdate);
  if (!c || !hash || !status || status.tagClass !== Class.CONTEXT_SPECIFIC || !updated) throw new OcspError(`${source}: OCSP single response not understood`);
  const kind = status.type === 0 ? 'good' : status.type === 1 ? 'revoked' : 'unknown';
  const nextUpdate = next?.tagClass === Class.CONTEXT_SPECIFIC && next.type === 0 ? timeOf(children(next)[0]) : null;
  return {
    hash,
    issuerNameHash: bytesOf(c.nameHash).toString('hex'),
    issuerKeyHash: bytesOf(c.keyHash).toString('hex'),
    serial: integerHex(c.serial),
    status: kind,
    revokedAt: kind === 'revoked' ? timeOf(children(status)[0]) : null,
    thisUpdate: updated,
    nextUpdate,
  };
}

const keyBits = new WeakMap<CertInfo, Buffer>();

/** The subjectPublicKey BIT STRING's value (without the unused-bits octet), which CertID hashes. */
function publicKeyBits(cert: CertInfo): Buffer {
  let bits = keyBits.get(cert);
  if (!bits) {
    const spki = parseDer(cert.publicKey.export({ format: 'der', type: 'spki' }));
    bits = bytesOf(children(spki)[1]).subarray(1);
    keyBits.set(cert, bits);
  }
  return bits;
}

/** The entry of `ocsp` about `cert` (issued by `issuer`), when `issuer` or its delegated responder signed the response. */
export function ocspEntryFor(ocsp: OcspInfo, cert: CertInfo, issuer: CertInfo): OcspEntry | null {
  const e = ocsp.entries.find(
    (x) =>
      x.serial === cert.serial &&
      x.issuerNameHash === createHash(x.hash).update(Buffer.from(issuer.subjectName, 'hex')).digest('hex') &&
      x.issuerKeyHash === createHash(x.hash).update(publicKeyBits(issuer)).digest('hex'),
  );
  return e && ocspSignedFor(ocsp, issuer) ? e : null;
}

const verified = new WeakMap<OcspInfo, Map<string, boolean>>();

function ocspSignedFor(ocsp: OcspInfo, issuer: CertInfo): boolean {
  let byIssuer = verified.get(ocsp);
  if (!byIssuer) verified.set(ocsp, (byIssuer = new Map()));
  const known = byIssuer.get(issuer.fingerprint);
  if (known !== undefined) return known;
  const scheme = signatureScheme(ocsp.signatureAlgorithm, null);
  const delegated = ocsp.certs.filter(
    (r) =>
      r.extKeyUsage?.includes(OID_OCSP_SIGNING) &&
      r.issuerName === issuer.subjectName &&
      r.notBefore <= ocsp.producedAt &&
      ocsp.producedAt <= r.notAfter &&
      issuedBy(r, issuer),
  );
  const ok = typeof scheme !== 'string' && [issuer, ...delegated].some((signer) => verifySignature(signer.publicKey, scheme, [ocsp.tbs], ocsp.signature));
  byIssuer.set(issuer.fingerprint, ok);
  return ok;
}

function issuedBy(cert: CertInfo, issuer: CertInfo): boolean {
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
