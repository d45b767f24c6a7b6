/**
 * Signature and digest algorithms: OIDs to Node crypto parameters, and the verify call.
 * The cryptography itself is Node's (OpenSSL); this module only decides which call to make.
 */
import { createHash, createVerify, verify as oneShotVerify, constants, type KeyObject } from 'node:crypto';
import { children, match, oidOf, bytesOf, Class, type Asn1, type Schema } from './der.ts';

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const HASHES: Record<string, HashName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature OIDs that fix the hash. */
const RSA_PKCS1: Record<string, HashName> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA: Record<string, HashName> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSA_PSS = '1.2.840.113549.1.1.10';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const ED25519 = '1.3.101.112';
const MGF1 = '1.2.840.113549.1.1.8';

export interface AlgorithmId {
  oid: string;
  params: Asn1 | null;
}

export interface SignatureScheme {
  kind: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'eddsa';
  /** null for EdDSA, which hashes internally. */
  hash: HashName | null;
  saltLength?: number;
}

export function hashFromOid(oid: string | null): HashName | null {
  return (oid && HASHES[oid]) || null;
}

export function algorithmId(node: Asn1 | undefined): AlgorithmId | null {
  const [id, params] = children(node);
  const oid = oidOf(id);
  return oid ? { oid, params: params ?? null } : null;
}

export function digest(hash: HashName, parts: readonly Buffer[]): Buffer {
  const h = createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest();
}

// RSASSA-PSS-params (RFC 4055): all fields explicit-tagged and optional, SHA-1/MGF1-SHA-1/20 by default.
const pssParamsSchema: Schema = {
  name: 'RSASSA-PSS-params',
  tagClass: Class.UNIVERSAL,
  constructed: true,
  value: [
    { name: 'hashAlgorithm', tagClass: Class.CONTEXT_SPECIFIC, type: 0, constructed: true, optional: true, captureAsn1: 'hash' },
    { name: 'maskGenAlgorithm', tagClass: Class.CONTEXT_SPECIFIC, type: 1, constructed: true, optional: true, captureAsn1: 'mgf' },
    { name: 'saltLength', tagClass: Class.CONTEXT_SPECIFIC, type: 2, constructed: true, optional: true, captureAsn1: 'salt' },
    { name: 'trailerField', tagClass: Class.CONTEXT_SPECIFIC, type: 3, constructed: true, optional: true },
  ],
};

function pssScheme(params: Asn1 | null): SignatureScheme | string {
  const c = params ? match(params, pssParamsSchema) : {};
  if (!c) return 'malformed RSASSA-PSS parameters';
  const hash = c.hash ? hashFromOid(algorithmId(children(c.hash)[0])?.oid ?? null) : 'sha1';
  if (!hash) return 'unsupported RSASSA-PSS hash algorithm';
  if (c.mgf) {
    const mgf = algorithmId(children(c.mgf)[0]);
    const mgfHash = hashFromOid(algorithmId(mgf?.params ?? undefined)?.oid ?? null);
    // Node applies MGF1 with the signature hash; any other mask generation cannot be checked.
    if (mgf?.oid !== MGF1 || mgfHash !== hash) return 'unsupported RSASSA-PSS mask generation function';
  }
  const saltBytes = c.salt ? bytesOf(children(c.salt)[0]) : null;
  const saltLength = saltBytes ? saltBytes.reduce((n, b) => n * 256 + b, 0) : 20;
  if (saltBytes && saltBytes.length > 4) return 'implausible RSASSA-PSS salt length';
  return { kind: 'rsa-pss', hash, saltLength };
}

/**
 * The scheme for a signature algorithm identifier. `digestHash` is the CMS digest algorithm,
 * used when the OID names only the key type (rsaEncryption, id-ecPublicKey).
 * Returns a reason string when the algorithm is unknown or malformed.
 */
export function signatureScheme(alg: AlgorithmId, digestHash: HashName | null): SignatureScheme | string {
  if (RSA_PKCS1[alg.oid]) return { kind: 'rsa-pkcs1', hash: RSA_PKCS1[alg.oid] };
  if (ECDSA[alg.oid]) return { kind: 'ecdsa', hash: ECDSA[alg.oid] };
  if (alg.oid === RSA_PSS) return pssScheme(alg.params);
  if (alg.oid === ED25519) return { kind: 'eddsa', hash: null };
  if (alg.oid === RSA_ENCRYPTION && digestHash) return { kind: 'rsa-pkcs1', hash: digestHash };
  if (alg.oid === EC_PUBLIC_KEY && digestHash) return { kind: 'ecdsa', hash: digestHash };
  return `unsupported signature algorithm ${alg.oid}`;
}

const KEY_TYPES: Record<SignatureScheme['kind'], readonly string[]> = {
  'rsa-pkcs1': ['rsa'],
  'rsa-pss': ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  eddsa: ['ed25519'],
};

/** Verify `signature` over the concatenation of `data` with `key`; false on any mismatch or error. */
export function verifySignature(key: KeyObject, scheme: SignatureScheme, data: readonly Buffer[], signature: Buffer): boolean {
  if (!KEY_TYPES[scheme.kind].includes(key.asymmetricKeyType ?? '')) return false;
  try {
    if (scheme.kind === 'eddsa' || !scheme.hash) return oneShotVerify(null, Buffer.concat(data), key, signature);
    const v = createVerify(scheme.hash);
    for (const d of data) v.update(d);
    if (scheme.kind === 'rsa-pss') {
      return v.verify({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature);
    }
    return v.verify(key, signature);
  } catch {
    return false;
  }
}

/** A short human name for reasons: "RSA-PSS/SHA-256". */
export function schemeName(scheme: SignatureScheme): string {
  const kind = { 'rsa-pkcs1': 'RSA', 'rsa-pss': 'RSA-PSS', ecdsa: 'ECDSA', eddsa: 'Ed25519' }[scheme.kind];
  return scheme.hash ? `${kind}/${scheme.hash.toUpperCase().replace('SHA', 'SHA-')}` : kind;
}
