/**
 * Is the document to be sent signed? An official electronic document carries the competent
 * person's digital signature (Decree 30/2020, Art. 8; docs/issuance.md), so sending one without a
 * valid signature is a decision the clerk makes explicitly (confirmUnsigned), and it is audited.
 *
 * "Valid" here is: a PDF signature whose value verifies over what it signed and that was not
 * followed by forbidden changes (gateway/trust/pdf.ts). A certificate this gateway does not
 * anchor (`untrusted`) is accepted: the receiving side judges the chain with its own trust store.
 */
import { loadTrustStore, verifyDocument, type TrustStore, type TrustStoreConfig } from '../../trust/index.ts';

export interface UnsignedReason {
  vi: string;
  en: string;
  /** The verdict of each signature found, in file order. */
  verdicts: string[];
}

const ACCEPTED = new Set(['valid', 'untrusted']);

let cached: { key: string; store: Promise<TrustStore> } | null = null;

function store(config: TrustStoreConfig): Promise<TrustStore> {
  const key = JSON.stringify(config);
  if (cached?.key !== key) cached = { key, store: loadTrustStore(config) };
  return cached.store;
}

/** Why the document does not count as signed, or null when it does. */
export async function unsignedReason(document: { filename: string; content: Buffer }, trust: TrustStoreConfig): Promise<UnsignedReason | null> {
  if (!document.content.subarray(0, 1024).includes('%PDF-')) {
    return {
      vi: `tệp "${document.filename}" không phải PDF nên không có chữ ký số của người có thẩm quyền`,
      en: `"${document.filename}" is not a PDF, so it carries no signature of the competent person`,
      verdicts: [],
    };
  }
  const reports = verifyDocument(document.content, 'pdf', { trust: await store(trust) }).signatures;
  if (reports.some((r) => ACCEPTED.has(r.verdict))) return null;
  const verdicts = reports.map((r) => r.verdict);
  if (!reports.length) {
    return { vi: 'văn bản PDF chưa được ký số', en: 'the PDF has no digital signature', verdicts };
  }
  const why = reports.flatMap((r) => r.reasons.slice(0, 1)).join('; ');
  return {
    vi: `chữ ký số trên văn bản không hợp lệ (${verdicts.join(', ')})`,
    en: `the PDF's signatures are not valid (${verdicts.join(', ')}): ${why}`,
    verdicts,
  };
}
