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

export interface SmimeKey {
  key: forge.pki.PrivateKey;
  cert: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
}

export function loadPkcs12(file: string, password: string): SmimeKey {
  const full = path.resolve(PROJECT_ROOT, file);
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(readFileSync(full).toString('binary')), password);
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
  if (!keyBag?.key || !certs.length) throw new SigningError(`${full}: PKCS#12 must hold a private key and its certificate`);
  // node-forge signs PKCS#7 with RSA only; an EC key would fail later, after the document was numbered.
  if (!('n' in keyBag.key)) throw new SigningError(`${full}: only RSA keys can sign S/MIME here (khóa phải là RSA)`);
  const pub = forge.pki.setRsaPublicKey((keyBag.key as forge.pki.rsa.PrivateKey).n, (keyBag.key as forge.pki.rsa.PrivateKey).e);
  const own = certs.find((c) => forge.pki.publicKeyToPem(c.publicKey) === forge.pki.publicKeyToPem(pub)) ?? certs[0];
  return { key: keyBag.key, cert: own, chain: certs.filter((c) => c !== own) };
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

/** Wraps the message body in multipart/signed; the top-level headers (From, To, …) stay outside. */
export function smimeSign(raw: Buffer, signer: SmimeKey, now: Date): Buffer {
  const { headers, body } = splitMessage(raw);
  const inner = Buffer.concat([Buffer.from(headers.filter(isContentHeader).join(CRLF) + CRLF + CRLF, 'binary'), body]);
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
  const boundary = `----vanthu-signed-${randomBytes(12).toString('hex')}`;
  const outer = headers.filter((h) => !isContentHeader(h));
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

export async function dkimSignMessage(raw: Buffer, key: DkimKey): Promise<Buffer> {
  // The typings describe one flat signature; the implementation reads `signatureData` (a list).
  const options = {
    canonicalization: 'relaxed/relaxed',
    signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey, algorithm: 'rsa-sha256' }],
  };
  const res = await dkimSign(raw, options as never);
  if (res.errors?.length)
    throw new SigningError(`DKIM: ${res.errors.map((e: { error?: string } | Error) => ('error' in e ? e.error : (e as Error).message)).join('; ')}`);
  return Buffer.concat([Buffer.from(res.signatures, 'utf8'), raw]);
}
