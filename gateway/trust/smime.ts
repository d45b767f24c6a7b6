/**
 * S/MIME signatures (RFC 8551): detached multipart/signed and opaque application/pkcs7-mime
 * signed-data, anywhere in the message's MIME tree except inside forwarded messages (whose
 * signatures speak for another message).
 */
import { parseEntity, splitMultipart, decodeBody, canonicalCrlf, type MimeEntity } from './mime.ts';
import { parseSignedData, checkSigners, CmsError, OID_DATA, type SignedData, type SignerCheck } from './cms.ts';
import { assessSigner, unreadable, type LayerInfo, type TrustContext } from './assess.ts';
import type { SignatureReport } from './report.ts';

const MAX_DEPTH = 16;
const PKCS7_SIGNATURE = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);
const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
const INFO: LayerInfo = { layer: 'smime', attachment: null };

export interface SmimeResult {
  signatures: SignatureReport[];
  /** Contents unwrapped from opaque signatures: they may hold attachments of their own. */
  unwrapped: Buffer[];
}

export function verifySmime(raw: Buffer, ctx: TrustContext): SmimeResult {
  const result: SmimeResult = { signatures: [], unwrapped: [] };
  walk(parseEntity(raw), ctx, result, 0);
  return result;
}

function walk(entity: MimeEntity, ctx: TrustContext, out: SmimeResult, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (entity.type === 'multipart/signed') {
    const content = detached(entity, ctx, out);
    if (content) walk(parseEntity(content), ctx, out, depth + 1);
  } else if (PKCS7_MIME.has(entity.type)) {
    const content = opaque(entity, ctx, out);
    if (content) {
      out.unwrapped.push(content);
      walk(parseEntity(content), ctx, out, depth + 1);
    }
  } else if (entity.type.startsWith('multipart/') && entity.params.boundary) {
    for (const part of splitMultipart(entity.body, entity.params.boundary)) walk(parseEntity(part), ctx, out, depth + 1);
  }
}

/** Verify a multipart/signed entity; returns the signed part for further walking. */
function detached(entity: MimeEntity, ctx: TrustContext, out: SmimeResult): Buffer | null {
  const protocol = (entity.params.protocol ?? '').toLowerCase();
  const parts = entity.params.boundary ? splitMultipart(entity.body, entity.params.boundary) : [];
  if (!PKCS7_SIGNATURE.has(protocol)) {
    out.signatures.push(unreadable(INFO, 'indeterminate', `multipart/signed with unsupported protocol "${protocol}" (only S/MIME is verified)`));
    return parts[0] ?? null;
  }
  if (parts.length < 2) {
    out.signatures.push(unreadable(INFO, 'invalid', 'multipart/signed without both a content part and a signature part'));
    return parts[0] ?? null;
  }
  const sd = readCms(decodeBody(parseEntity(parts[1])), out);
  if (!sd) return parts[0];
  if (sd.eContent) {
    out.signatures.push(unreadable(INFO, 'invalid', 'the detached signature part carries content of its own'));
    return parts[0];
  }
  for (const check of checkCanonical(sd, parts[0])) out.signatures.push(assessSigner(check, ctx, INFO));
  return parts[0];
}

/**
 * The signed part as it stands, or in canonical CRLF form when it was stored with bare LF line
 * ends (messages saved to disk often are): whichever matches the signed digest.
 */
function checkCanonical(sd: SignedData, signed: Buffer): SignerCheck[] {
  const exact = checkSigners(sd, [signed]);
  const mismatch = (checks: SignerCheck[]) => checks.some((c) => c.findings.some((f) => f.reason.startsWith('content digest mismatch')));
  if (!mismatch(exact)) return exact;
  const canonical = canonicalCrlf(signed);
  if (canonical.equals(signed)) return exact;
  const retried = checkSigners(sd, [canonical]);
  return mismatch(retried) ? exact : retried;
}

/** Verify an application/pkcs7-mime entity; returns the encapsulated content when signed-data. */
function opaque(entity: MimeEntity, ctx: TrustContext, out: SmimeResult): Buffer | null {
  const smimeType = (entity.params['smime-type'] ?? '').toLowerCase();
  if (smimeType === 'certs-only' || smimeType === 'compressed-data') return null;
  const encrypted = 'the message is encrypted (S/MIME enveloped-data); it cannot be verified without the recipient key';
  if (smimeType === 'enveloped-data' || smimeType === 'authenveloped-data') {
    out.signatures.push(unreadable(INFO, 'indeterminate', encrypted));
    return null;
  }
  let sd: SignedData;
  try {
    sd = parseSignedData(decodeBody(entity));
  } catch (err) {
    const why = err instanceof CmsError ? err.message : String(err);
    out.signatures.push(
      why.includes(OID_ENVELOPED_DATA)
        ? unreadable(INFO, 'indeterminate', encrypted)
        : unreadable(INFO, 'invalid', `the S/MIME signature is not a readable CMS signature: ${why}`),
    );
    return null;
  }
  if (!sd.eContent || sd.eContentType !== OID_DATA) {
    out.signatures.push(unreadable(INFO, 'indeterminate', 'opaque S/MIME signature without MIME content'));
    return null;
  }
  for (const check of checkSigners(sd, null)) out.signatures.push(assessSigner(check, ctx, INFO));
  return sd.eContent;
}

function readCms(der: Buffer, out: SmimeResult): SignedData | null {
  try {
    return parseSignedData(der);
  } catch (err) {
    const why = err instanceof CmsError ? err.message : String(err);
    out.signatures.push(unreadable(INFO, 'invalid', `the S/MIME signature is not a readable CMS signature: ${why}`));
    return null;
  }
}
