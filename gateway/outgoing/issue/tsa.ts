/**
 * RFC 3161 signature time-stamps: the unit's signature value is sent to the configured TSA and the
 * token is added to the SignerInfo as the unsigned attribute id-aa-signatureTimeStampToken
 * (RFC 3161 Appendix A, docs/issuance.md; pades.ts adds it), which gateway/trust/timestamp.ts checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { answerProblem, fetchBytes } from './http.ts';
import { IssueError } from './issue-error.ts';

const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;
const SHA256 = '2.16.840.1.101.3.4.2.1';

const seq = (v: Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
const kids = (node: Asn1) => node.value as Asn1[];

/** TimeStampReq { version 1, messageImprint (SHA-256), nonce, certReq TRUE }. */
export function timestampRequest(digest: Buffer): Buffer {
  const nonce = randomBytes(8);
  nonce[0] &= 0x7f;
  const req = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(1)),
    seq([
      seq([
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, digest.toString('binary')),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, nonce.toString('binary')),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)),
  ]);
  return Buffer.from(asn1.toDer(req).getBytes(), 'binary');
}

/** Asks the TSA at `url` for a token over `data`; the token (a CMS ContentInfo) in DER. */
export async function fetchTimestamp(url: string, data: Buffer): Promise<Buffer> {
  let body: Buffer;
  try {
    body = await fetchBytes(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(timestampRequest(createHash('sha256').update(data).digest())),
    });
  } catch (err) {
    throw new IssueError('outgoing.issue.tsa', answerProblem('TSA', url, err));
  }
  let resp: Asn1;
  try {
    resp = asn1.fromDer(body.toString('binary'));
  } catch {
    throw new IssueError('outgoing.issue.tsa', `TSA ${url}: not a TimeStampResp`);
  }
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }
  const [status, token] = kids(resp);
  const code = (kids(status)[0]?.value as string | undefined)?.charCodeAt(0);
  if ((code !== 0 && code !== 1) || !token) throw new IssueError('outgoing.issue.tsa', `TSA ${url} refused the request (status ${code})`);
  return Buffer.from(asn1.toDer(token).getBytes(), 'binary');
}
