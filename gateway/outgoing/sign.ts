/**
 * Signing an outgoing message: S/MIME (RFC 8551 multipart/signed, detached PKCS#7 made with
 * node-forge from the unit's PKCS#12) and DKIM (mailauth's dkimSign with the unit's key). S/MIME
 * comes first: DKIM must cover the final bytes.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dkimSign } from 'mailauth';
import forge from 'node-forge';
import { PROJECT_ROOT } from '../config/load.ts';
import { type FileIssueKey, loadIssueKey, type IssueKey } from './issue/keys.ts';
import { pkcs12FromDer } from './pkcs12.ts';

export class SigningError extends Error {}

const CRLF = '\r\n';

/** Splits a raw message into unfolded-aware header lines (each may span folded lines) and body. */
export function splitMessage(raw: Buffer): { headers: string[]; body: Buffer } {
  const at = raw.indexOf('\r\n\r\n');
  if (at < 0) throw new SigningError('message has no header/body separator');
  const head = raw.subarray(0, at).toString('binary');
  return { headers: head.split(/\r\n(?![ \t])/), body: raw.subarray(at + 4) };
}

const isContentHeader = (h: string) => /^(content-|mime-version:)/i.test(h) && !/^mime-version:/i.test(h);

/** An RSA unit key (node-forge signs), or an EC one (`ec`: P-256/384/521, pkijs signs: smimeSignEc). */
export type SmimeKey = RsaSmimeKey | { ec: FileIssueKey };

export interface RsaSmimeKey {
  key: forge.pki.PrivateKey;
  cert: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
}

export function loadPkcs12(file: string, password: string): SmimeKey {
  const full = path.resolve(PROJECT_ROOT, file);
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = pkcs12FromDer(readFileSync(full), password);
  } catch (err) {
    throw new SigningError(`${full}: cannot read PKCS#12 (${(err as Error).message})`);
  }
  const keyBag = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ][0];
  const certs = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((b) => b.cert)
    .filter((c): c is forge.pki.Certificate => Boolean(c));
  // node-forge reads RSA keys only: another kind (EC) is left undecoded and goes to pkijs.
  if (keyBag && !keyBag.key) return { ec: ecKey(full, password) };
  if (!keyBag?.key || !certs.length) throw new SigningError(`${full}: PKCS#12 must hold a private key and its certificate`);
  if (!('n' in keyBag.key)) throw new SigningError(`${full}: only RSA or EC keys can sign S/MIME here (khóa phải là RSA hoặc EC)`);
  const pub = forge.pki.setRsaPublicKey((keyBag.key as forge.pki.rsa.PrivateKey).n, (keyBag.key as forge.pki.rsa.PrivateKey).e);
  const own = certs.find((c) => forge.pki.publicKeyToPem(c.publicKey) === forge.pki.publicKeyToPem(pub)) ?? certs[0];
  return { key: keyBag.key, cert: own, chain: certs.filter((c) => c !== own) };
}

/** An EC key and its certificates as issuance reads them (keys.ts), with S/MIME's error class. */
function ecKey(full: string, password: string): FileIssueKey {
  try {
    return loadIssueKey(full, password);
  } catch (err) {
    throw new SigningError(`${full}: ${(err as Error).message}`);
  }
}

type Asn1 = forge.asn1.Asn1;

/**
 * node-forge writes the SignerInfo's issuerAndSerialNumber from the parsed certificate fields and
 * gets non-ASCII names wrong (UTF8String values are UTF-8-encoded a second time), so a verifier
 * such as `openssl cms -verify` finds no certificate for the signer of a Vietnamese-named CA. The
 * issuer and serial are copied from the certificate's own TBSCertificate instead; they are not
 * covered by the signature, so replacing them after signing is safe.
 */
export function withOriginalIssuer(contentInfo: Asn1, cert: forge.pki.Certificate): Asn1 {
  const tbs = (cert as unknown as { tbsCertificate?: Asn1 }).tbsCertificate;
  if (!tbs || !Array.isArray(tbs.value)) return contentInfo;
  // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, ... }
  const fields = tbs.value as Asn1[];
  const at = fields[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const [serial, issuer] = [fields[at], fields[at + 2]];
  // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData }; signerInfos is SignedData's last field.
  const signedData = ((contentInfo.value as Asn1[])[1].value as Asn1[])[0];
  const signerInfos = (signedData.value as Asn1[])[(signedData.value as Asn1[]).length - 1];
  for (const info of signerInfos.value as Asn1[]) {
    const sid = (info.value as Asn1[])[1];
    sid.value = [issuer, serial];
  }
  return contentInfo;
}

/** S/MIME with either kind of key (compose.ts): RSA through node-forge, EC through pkijs. */
export async function signSmime(raw: Buffer, signer: SmimeKey, now: Date): Promise<Buffer> {
  return 'ec' in signer ? smimeSignEc(raw, signer.ec) : smimeSign(raw, signer, now);
}

/** The entity that is signed: the message's content headers and its body. */
function innerEntity(raw: Buffer): { outer: string[]; inner: Buffer } {
  const { headers, body } = splitMessage(raw);
  const inner = Buffer.concat([Buffer.from(headers.filter(isContentHeader).join(CRLF) + CRLF + CRLF, 'binary'), body]);
  return { outer: headers.filter((h) => !isContentHeader(h)), inner };
}

/**
 * An EC unit key (ECDSA with SHA-256): the detached CMS is pkijs's, as for the unit's PDF signature
 * (issue/pades.ts: content-type, message-digest and signing-certificate-v2 signed; the chain
 * included), so `openssl cms -verify` and vanthu's verifier check it like the RSA one.
 */
export async function smimeSignEc(raw: Buffer, key: IssueKey): Promise<Buffer> {
  const { outer, inner } = innerEntity(raw);
  // pades.ts brings pdf-lib: loaded with the first message signed this way, not when the gateway starts (docs/operations.md, "Memory").
  const { cadesDetached } = await import('./issue/pades.ts');
  return multipartSigned(outer, inner, await cadesDetached(inner, key));
}

/** Wraps the message body in multipart/signed; the top-level headers (From, To, …) stay outside. */
export function smimeSign(raw: Buffer, signer: RsaSmimeKey, now: Date): Buffer {
  const { outer, inner } = innerEntity(raw);
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(inner.toString('binary'));
  p7.addCertificate(signer.cert);
  for (const c of signer.chain) p7.addCertificate(c);
  p7.addSigner({
    key: signer.key as never,
    certificate: signer.cert,
    digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.messageDigest },
      { type: forge.pki.oids.signingTime, value: now as unknown as string },
    ],
  });
  p7.sign({ detached: true });
  const der = Buffer.from(forge.asn1.toDer(withOriginalIssuer(p7.toAsn1(), signer.cert)).getBytes(), 'binary');
  return multipartSigned(outer, inner, der);
}

function multipartSigned(outer: string[], inner: Buffer, der: Buffer): Buffer {
  const boundary = `----vanthu-signed-${randomBytes(12).toString('hex')}`;
  const sig = der.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
  return Buffer.concat([
    Buffer.from(
      [
        ...outer,
        `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;${CRLF} boundary="${boundary}"`,
        '',
        'This is an S/MIME signed message',
        `--${boundary}`,
        '',
      ].join(CRLF),
      'binary',
    ),
    inner,
    Buffer.from(
      [
        '',
        `--${boundary}`,
        'Content-Type: application/pkcs7-signature; name="smime.p7s"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="smime.p7s"',
        '',
        sig,
        `--${boundary}--`,
        '',
      ].join(CRLF),
      'binary',
    ),
  ]);
}

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
}

export function loadDkimKey(cfg: { domain: string; selector: string; privateKey: string }): DkimKey {
  const full = path.resolve(PROJECT_ROOT, cfg.privateKey);
  let pem: string;
  try {
    pem = readFileSync(full, 'utf8');
  } catch (err) {
    throw new SigningError(`${full}: cannot read DKIM private key (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  // Parsed now so a bad key fails the send before the document takes a number.
  try {
    createPrivateKey(pem);
  } catch (err) {
    throw new SigningError(`${full}: not a PEM private key (${(err as Error).message})`);
  }
  return { domain: cfg.domain, selector: cfg.selector, privateKey: pem };
}

/**
 * DKIM-signs `raw` as signed at `signedAt`. The time is always given: without it mailauth reads the
 * clock once for the hashed header and again for the header it writes, and a signature made across
 * a rounding step (half a second) carries a t= that is not the one it signed — a bad signature at
 * every verifier (docs/issuance.md, "The mail's DKIM signature: one signing time").
 */
export async function dkimSignMessage(raw: Buffer, key: DkimKey, signedAt: Date): Promise<Buffer> {
  // The typings describe one flat signature; the implementation reads `signatureData` (a list).
  const options = {
    canonicalization: 'relaxed/relaxed',
    signTime: signedAt,
    signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey, algorithm: 'rsa-sha256' }],
  };
  const res = await dkimSign(raw, options as never);
  if (res.errors?.length)
    throw new SigningError(`DKIM: ${res.errors.map((e: { error?: string } | Error) => ('error' in e ? e.error : (e as Error).message)).join('; ')}`);
  return Buffer.concat([Buffer.from(res.signatures, 'utf8'), raw]);
}
