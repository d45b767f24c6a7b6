/**
 * The unit's signing key for issuance (docs/issuance.md): a PKCS#12 file with the private key
 * (RSA, or EC on P-256/P-384), its certificate and the chain. node-forge decrypts the file (it reads
 * the 3DES/SHA-1 PKCS#12 OpenSSL makes with `-keypbe PBE-SHA1-3DES`), but its own key and
 * certificate objects know RSA only and re-encode names; the key is therefore handed to Node as
 * PKCS#8 and the certificates are kept as the DER bytes stored in the file, so the certificate
 * hash in the signature's signing-certificate-v2 attribute is the hash of the real certificate.
 */
import { X509Certificate, createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { PROJECT_ROOT } from '../../config/load.ts';
import { pkcs12FromDer } from '../pkcs12.ts';
import { IssueError } from './issue-error.ts';

/**
 * What signs the unit's CMS (PAdES, appendices, EC S/MIME): a key read from a PKCS#12 file
 * (`loadIssueKey`) or one that stays on a PKCS#11 token (pkcs11.ts). The CMS code only asks it to
 * sign the DER of the signed attributes.
 */
export interface IssueKey {
  /** The signer's certificate, DER as issued. */
  certificate: Buffer;
  /** Further certificates (the issuing CAs), DER. */
  chain: Buffer[];
  /** RSASSA-PKCS1-v1_5 or ECDSA, always with SHA-256 (`signingAlgorithm`). */
  algorithm: RsaHashedImportParams | EcKeyImportParams;
  /** The signature over SHA-256(`data`): PKCS#1 v1.5 for RSA, a DER ECDSA-Sig-Value for EC (as CMS writes it). */
  sign(data: Buffer): Promise<Buffer>;
}

/** A key read from a PKCS#12 file: the private key is in memory. */
export interface FileIssueKey extends IssueKey {
  privateKey: KeyObject;
}

type Bag = { key?: unknown; cert?: unknown; asn1?: forge.asn1.Asn1 };

/**
 * Reads `file` (relative to the project root) with `password`. forge is asked to leave keys and
 * certificates undecoded, so every bag keeps the ASN.1 exactly as read.
 */
export function loadIssueKey(file: string, password: string): FileIssueKey {
  const full = path.resolve(PROJECT_ROOT, file);
  const pki = forge.pki as unknown as Record<'privateKeyFromAsn1' | 'certificateFromAsn1', unknown>;
  const saved = { key: pki.privateKeyFromAsn1, cert: pki.certificateFromAsn1 };
  const raw = () => {
    throw new Error('kept as ASN.1');
  };
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    pki.privateKeyFromAsn1 = raw;
    pki.certificateFromAsn1 = raw;
    p12 = pkcs12FromDer(readFileSync(full), password);
  } catch (err) {
    throw new IssueError('outgoing.issue.key', `${full}: không đọc được tệp PKCS#12 (cannot read PKCS#12: ${(err as Error).message})`);
  } finally {
    pki.privateKeyFromAsn1 = saved.key;
    pki.certificateFromAsn1 = saved.cert;
  }
  const der = (b: Bag): Buffer | null => (b.asn1 ? Buffer.from(forge.asn1.toDer(b.asn1).getBytes(), 'binary') : null);
  const bags = (type: string) => (p12.getBags({ bagType: type })[type] ?? []) as Bag[];
  const oids = forge.pki.oids;
  const keyDer = [...bags(oids.pkcs8ShroudedKeyBag), ...bags(oids.keyBag)].map(der).find((d) => d !== null);
  const certs = bags(oids.certBag)
    .map(der)
    .filter((d): d is Buffer => d !== null);
  if (!keyDer || !certs.length) throw new IssueError('outgoing.issue.key', `${full}: PKCS#12 must hold a private key and its certificate`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new IssueError('outgoing.issue.key', `${full}: the private key is unreadable (${(err as Error).message})`);
  }
  const algorithm = signingAlgorithm(privateKey); // an unusable key fails here, before a number is taken
  const spki = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });
  const own = spki(createPublicKey(privateKey));
  const certificate = certs.find((c) => {
    try {
      return spki(new X509Certificate(c).publicKey).equals(own);
    } catch {
      return false;
    }
  });
  if (!certificate) throw new IssueError('outgoing.issue.key', `${full}: no certificate in the PKCS#12 matches its private key`);
  return {
    privateKey,
    certificate,
    chain: certs.filter((c) => c !== certificate),
    algorithm,
    sign: async (data) => cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The WebCrypto algorithm the key signs with: RSASSA-PKCS1-v1_5 or ECDSA, SHA-256 (docs/issuance.md). */
export function signingAlgorithm(key: KeyObject): RsaHashedImportParams | EcKeyImportParams {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'ec' && curve) return { name: 'ECDSA', namedCurve: curve };
  const kind = [key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve].filter(Boolean).join(' ');
  throw new IssueError(
    'outgoing.issue.key',
    `khóa ký phải là RSA hoặc EC P-256/P-384/P-521 (the unit key must be RSA or EC on P-256/P-384/P-521, not ${kind})`,
  );
}
