/**
 * XML signatures of edXML envelopes (QCVN 102:2016): enveloped XMLDSig with the signer's
 * certificate in KeyInfo/X509Data. xml-crypto checks digests and the signature value; this
 * module insists that the signature covers the whole envelope (a signature over one small
 * element would leave the rest forgeable) and hands the certificate to the common chain check.
 */
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { certificate, type CertInfo } from './certs.ts';
import { assessSigner, unreadable, type LayerInfo, type TrustContext } from './assess.ts';
import { finding, type Finding, type SignatureReport } from './report.ts';
import type { SignerCheck } from './cms.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const SHA1 = /#(rsa-)?sha1$|#dsa-sha1$|ecdsa-sha1$/;

type XmlElement = Element;

/**
 * Bounds on what a hostile envelope can make the XML stack do. xmldom's DOM walks recurse once per
 * level, and xml-crypto's XPath sorts node sets with a comparison that costs the depth of the
 * nodes, so depth and size are what make canonicalisation and reference look-up super-linear.
 * A real edXML envelope is a dozen levels deep, has hundreds of elements and one signature.
 */
export const XML_LIMITS = {
  /** Element nesting. */
  maxDepth: 128,
  /** Elements in the whole document. */
  maxElements: 50_000,
  /** ds:Signature elements checked (each one canonicalises and digests the document). */
  maxSignatures: 8,
  /** xmldom warnings before the document is given up on (each one costs a message). */
  maxWarnings: 1_000,
};

/** Raised from the xmldom error handler to stop parsing at the first error. */
class XmlParseAbort extends Error {}

export function verifyXml(bytes: Buffer, ctx: TrustContext, attachment: string | null = null): SignatureReport[] {
  const info: LayerInfo = { layer: 'xml', attachment };
  const xml = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const parsed = parseXml(xml);
  if (typeof parsed === 'string') return [unreadable(info, 'indeterminate', parsed)];
  const { root, signatures } = parsed;
  return signatures.map((node) => verifySignatureElement(xml, root, node, ctx, info));
}

/**
 * Parse, then check the shape against XML_LIMITS in one iterative walk that also collects the
 * signatures; the reason the document cannot be checked when it is not well-formed or too big.
 */
function parseXml(xml: string): { root: XmlElement; signatures: XmlElement[] } | string {
  // No DTDs: an edXML envelope never has one, and xmldom adds the nodes of a long internal subset
  // one by one to the document, each insertion checking all before it — 40,000 entity
  // declarations took minutes (found by `npm run fuzz`, docs/fuzzing.md). Entities are refused
  // for the usual reasons too (expansion bombs).
  const firstElement = xml.search(/<[A-Za-z_:]/);
  if ((firstElement < 0 ? xml : xml.slice(0, firstElement)).includes('<!DOCTYPE')) {
    return 'not accepted: the document declares a DTD (<!DOCTYPE …>); signed XML is read without DTDs or entities';
  }
  const errors: string[] = [];
  let warnings = 0;
  // Stop at the first error: a document with an error is not checked anyway, and letting xmldom
  // recover costs an Error (with its stack) and a message per bad character — seconds for
  // two million stray '<'.
  const fail = (m: string): never => {
    errors.push(m);
    throw new XmlParseAbort(m);
  };
  const parser = new DOMParser({
    errorHandler: {
      warning: (m) => {
        if (++warnings > XML_LIMITS.maxWarnings) fail(`more than ${XML_LIMITS.maxWarnings} parser warnings (${m})`);
      },
      error: fail,
      fatalError: fail,
    },
  });
  let doc: Document | undefined;
  try {
    doc = parser.parseFromString(xml, 'text/xml');
  } catch (err) {
    // xmldom also throws on its own (a "Hierarchy request error" for text or CDATA outside the root)
    if (!(err instanceof XmlParseAbort)) errors.push(err instanceof Error ? err.message : String(err));
  }
  const root = doc?.documentElement;
  if (!doc || !root || errors.length > 0) {
    return `not well-formed XML${errors[0] ? ` (${errors[0].split('\n')[0]})` : ''}`;
  }
  const signatures: XmlElement[] = [];
  let elements = 0;
  let depth = 0;
  let node: Node | null = root;
  // pre-order walk by firstChild/nextSibling/parentNode: no recursion, whatever the depth
  while (node) {
    if (node.nodeType === 1) {
      const el = node as XmlElement;
      if (++elements > XML_LIMITS.maxElements) return `the XML document has more than ${XML_LIMITS.maxElements} elements, more than this gateway checks`;
      if (el.localName === 'Signature' && el.namespaceURI === DSIG) {
        if (signatures.length >= XML_LIMITS.maxSignatures) {
          return `the XML document carries more than ${XML_LIMITS.maxSignatures} XML signatures, more than this gateway checks`;
        }
        signatures.push(el);
      }
      if (node.firstChild) {
        if (++depth > XML_LIMITS.maxDepth) return `the XML document nests elements deeper than ${XML_LIMITS.maxDepth} levels, more than this gateway checks`;
        node = node.firstChild;
        continue;
      }
    }
    while (node !== root && !node.nextSibling && node.parentNode) {
      node = node.parentNode;
      depth--;
    }
    node = node === root ? null : node.nextSibling;
  }
  return { root, signatures };
}

function verifySignatureElement(xml: string, root: XmlElement, node: XmlElement, ctx: TrustContext, info: LayerInfo): SignatureReport {
  const certs: CertInfo[] = [];
  for (const el of Array.from(node.getElementsByTagNameNS(DSIG, 'X509Certificate'))) {
    try {
      certs.push(certificate(Buffer.from(el.textContent ?? '', 'base64')));
    } catch {
      // an unreadable extra certificate only matters if it was the signer's, which shows below
    }
  }
  const leaf = signerOf(certs);
  if (!leaf) return unreadable(info, 'indeterminate', 'the XML signature carries no readable X509Certificate in KeyInfo');

  const findings: Finding[] = [];
  const signedInfo = node.getElementsByTagNameNS(DSIG, 'SignedInfo')[0];
  if (!signedInfo) return unreadable(info, 'invalid', 'the XML signature has no SignedInfo');
  if (!coversDocument(root, signedInfo)) {
    findings.push(finding('indeterminate', 'the XML signature does not cover the whole document (no reference to the root element)'));
  }
  // Only SignedInfo's algorithms: XAdES certificate digests (often SHA-1) are not the signature.
  const algorithms = [...attributeValues(signedInfo, 'SignatureMethod'), ...attributeValues(signedInfo, 'DigestMethod')];
  if (algorithms.some((a) => SHA1.test(a))) {
    findings.push(finding('indeterminate', 'signed with SHA-1, which is no longer accepted as secure'));
  }
  findings.push(...checkCrypto(xml, node, leaf));
  const signingTime = Array.from(node.getElementsByTagNameNS('*', 'SigningTime'))[0]?.textContent;
  const parsedTime = signingTime ? new Date(signingTime.trim()) : null;
  const check: SignerCheck = {
    certificate: leaf,
    pool: certs.filter((c) => c !== leaf),
    signingTime: parsedTime && !Number.isNaN(parsedTime.getTime()) ? parsedTime : null,
    signatureValue: Buffer.alloc(0),
    timestampToken: null,
    findings,
  };
  return assessSigner(check, ctx, info);
}

function checkCrypto(xml: string, node: XmlElement, leaf: CertInfo): Finding[] {
  const sig = new SignedXml({ getCertFromKeyInfo: () => leaf.x509.toString() });
  try {
    sig.loadSignature(node as unknown as Node);
    if (!sig.checkSignature(xml)) {
      return [finding('invalid', 'a digest of the signed XML does not match: the document was changed after signing')];
    }
    return [];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/is not supported/.test(message)) return [finding('indeterminate', `XML signature: ${message}`)];
    if (/^invalid signature/.test(message)) {
      return [finding('invalid', "the XML signature value does not verify with the signer's key")];
    }
    return [finding('invalid', `XML signature does not verify: ${message}`)];
  }
}

/** The end-entity among the KeyInfo certificates: the one that issued none of the others. */
function signerOf(certs: readonly CertInfo[]): CertInfo | null {
  return certs.find((c) => !certs.some((o) => o !== c && o.issuerName === c.subjectName)) ?? certs[0] ?? null;
}

function attributeValues(node: XmlElement, localName: string): string[] {
  return Array.from(node.getElementsByTagNameNS(DSIG, localName)).map((el) => el.getAttribute('Algorithm') ?? '');
}

/** A reference to "" (the whole document) or to the root element's Id. */
function coversDocument(root: XmlElement, signedInfo: XmlElement): boolean {
  const rootIds = ['Id', 'ID', 'id'].map((a) => root.getAttribute(a)).filter((v): v is string => !!v);
  const uris = Array.from(signedInfo.getElementsByTagNameNS(DSIG, 'Reference')).map((r) => r.getAttribute('URI'));
  return uris.some((u) => u === '' || (u?.startsWith('#') && rootIds.includes(u.slice(1))));
}
