/**
 * RFC 3161 time-stamp tokens. A token in a signature's unsigned attributes proves the signature
 * existed at genTime, which then replaces the signer's own claimed signing time — but only when
 * the token's imprint matches the signature, its own signature verifies and its TSA is trusted.
 */
import { parseSignedData, checkSigners, OID_TST_INFO, CmsError } from './cms.ts';
import { assessCertificate } from './chain.ts';
import { algorithmId, digest, hashFromOid } from './algorithms.ts';
import { parseDer, match, bytesOf, timeOf, Class, Type, type Schema } from './der.ts';
import { finding, worst, type SignatureVerdict } from './report.ts';
import type { CertInfo } from './certs.ts';
import type { TrustStore } from './store.ts';
import type { ValidationData } from './pdf-dss.ts';

const OID_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

const tstInfoSchema: Schema = {
  name: 'TSTInfo',
  tagClass: Class.UNIVERSAL,
  type: Type.SEQUENCE,
  constructed: true,
  value: [
    { name: 'version', tagClass: Class.UNIVERSAL, type: Type.INTEGER },
    { name: 'policy', tagClass: Class.UNIVERSAL, type: Type.OID },
    {
      name: 'messageImprint',
      tagClass: Class.UNIVERSAL,
      type: Type.SEQUENCE,
      constructed: true,
      value: [
        { name: 'hashAlgorithm', tagClass: Class.UNIVERSAL, type: Type.SEQUENCE, constructed: true, captureAsn1: 'hashAlg' },
        { name: 'hashedMessage', tagClass: Class.UNIVERSAL, type: Type.OCTETSTRING, captureAsn1: 'imprint' },
      ],
    },
    { name: 'serialNumber', tagClass: Class.UNIVERSAL, type: Type.INTEGER },
    { name: 'genTime', tagClass: Class.UNIVERSAL, type: Type.GENERALIZEDTIME, captureAsn1: 'genTime' },
  ],
};

export interface TimestampResult {
  verdict: SignatureVerdict;
  /** genTime when the token is sound and its TSA trusted (verdict valid); otherwise null. */
  time: Date | null;
  /** genTime as the token states it, checked or not. */
  claimedTime: Date | null;
  tsa: CertInfo | null;
  reasons: string[];
}

/**
 * Check `token` as a time-stamp over `imprinted` (the signature value, or a PDF's byte ranges).
 * `trailing` allows padding after the token (a PDF /Contents is zero-filled); `embedded` is the
 * document's own validation data (a PDF's DSS) for the TSA's path.
 */
export function checkTimestamp(
  token: Buffer,
  imprinted: readonly Buffer[],
  store: TrustStore,
  now: Date,
  trailing = false,
  embedded: ValidationData | null = null,
): TimestampResult {
  const result = (verdict: SignatureVerdict, reasons: string[], genTime: Date | null = null, tsa: CertInfo | null = null): TimestampResult => ({
    verdict,
    time: verdict === 'valid' ? genTime : null,
    claimedTime: genTime,
    tsa,
    reasons,
  });
  let sd;
  try {
    sd = parseSignedData(token, trailing);
  } catch (err) {
    return result('invalid', [`time-stamp token unreadable: ${err instanceof CmsError ? err.message : String(err)}`]);
  }
  if (sd.eContentType !== OID_TST_INFO || !sd.eContent) return result('indeterminate', ['time-stamp token holds no TSTInfo']);
  let tst;
  try {
    tst = match(parseDer(sd.eContent), tstInfoSchema);
  } catch {
    tst = null;
  }
  const genTime = timeOf(tst?.genTime);
  const hash = hashFromOid(algorithmId(tst?.hashAlg)?.oid ?? null);
  if (!tst || !genTime || !hash) return result('indeterminate', ['time-stamp TSTInfo not understood']);
  if (!bytesOf(tst.imprint).equals(digest(hash, imprinted))) {
    return result('invalid', ['time-stamp imprint does not match the time-stamped data'], genTime);
  }
  const [signer] = checkSigners(sd, null);
  const tsa = signer.certificate;
  const findings = [...signer.findings];
  if (tsa && !tsa.extKeyUsage?.includes(OID_TIME_STAMPING)) {
    findings.push(finding('indeterminate', `${tsa.label} is not a time-stamping certificate (extended key usage)`));
  }
  if (tsa) findings.push(...assessCertificate(tsa, signer.pool, { store, at: genTime, timeIsTrusted: true, now, embedded }));
  const verdict = tsa ? worst(findings.map((f) => f.verdict)) : 'indeterminate';
  const reasons = findings.filter((f) => f.verdict !== 'valid').map((f) => `time-stamp: ${f.reason}`);
  if (verdict === 'valid') reasons.push(`time from RFC 3161 time-stamp by ${tsa?.label}`);
  return result(verdict, reasons, genTime, tsa);
}
