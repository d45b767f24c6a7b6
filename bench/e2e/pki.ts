/**
 * A throw-away PKI for the end-to-end bench: a root CA the bench's gateway trusts (trust.anchors)
 * and one document signer under it, made in-process with node-forge (keys by Node's crypto).
 * Nothing here is a real CA. Built once per run into the run's temp folder.
 */
import { constants, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { Signer } from '@signpdf/utils';

export interface BenchPki {
  /** PEM file of the root, for trust.anchors. */
  rootPem: string;
  /** Signs PDFs (adbe.pkcs7.detached, SHA-256) as the bench's document signer. */
  signer: Signer;
}

interface Keys {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  node: KeyObject;
}

function rsaKeys(): Keys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey,
    node: privateKey,
  };
}

/** DER prefix of a DigestInfo for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * What @signpdf/signer-p12 does (node-forge CMS, the same signed attributes), with the RSA
 * operation done by Node's crypto: node-forge's JavaScript RSA takes ~100 ms a signature, which
 * would make building the bench's mail slower than sending it.
 */
class BenchSigner extends Signer {
  constructor(
    private readonly cert: forge.pki.Certificate,
    private readonly chain: forge.pki.Certificate[],
    private readonly key: KeyObject,
  ) {
    super();
  }

  async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    for (const c of [this.cert, ...this.chain]) p7.addCertificate(c);
    const key = this.key;
    const rsa = {
      sign: (md: forge.md.MessageDigest) =>
        privateEncrypt(
          { key, padding: constants.RSA_PKCS1_PADDING },
          Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]),
        ).toString('binary'),
    };
    p7.addSigner({
      key: rsa as unknown as forge.pki.rsa.PrivateKey,
      certificate: this.cert,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids.messageDigest },
      ],
    });
    p7.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  }
}

function validity(cert: forge.pki.Certificate, years: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + years * 365 * 24 * 3600 * 1000);
}

export function makeBenchPki(dir: string): BenchPki {
  const root = rsaKeys();
  const rootCert = forge.pki.createCertificate();
  rootCert.publicKey = root.publicKey;
  rootCert.serialNumber = '01' + randomBytes(8).toString('hex');
  validity(rootCert, 10);
  const rootName = [
    { name: 'countryName', value: 'VN' },
    { name: 'organizationName', value: 'vanthu bench' },
    { name: 'commonName', value: 'vanthu Bench Root CA' },
  ];
  rootCert.setSubject(rootName);
  rootCert.setIssuer(rootName);
  rootCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  rootCert.sign(root.privateKey, forge.md.sha256.create());

  const signer = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = signer.publicKey;
  cert.serialNumber = '02' + randomBytes(8).toString('hex');
  validity(cert, 3);
  cert.setSubject([
    { name: 'countryName', value: 'VN' },
    {
      name: 'organizationName',
      value: forge.util.encodeUtf8('Ủy ban nhân dân tỉnh Bến Tre'),
      valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
    },
    { name: 'commonName', value: forge.util.encodeUtf8('Nguyễn Văn An'), valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
    { name: 'emailAddress', value: 'an@bentre.gov.vn' },
  ]);
  cert.setIssuer(rootName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(root.privateKey, forge.md.sha256.create());

  const rootPem = path.join(dir, 'bench-root.pem');
  writeFileSync(rootPem, forge.pki.certificateToPem(rootCert));
  return { rootPem, signer: new BenchSigner(cert, [rootCert], signer.node) };
}
