/**
 * Receipts sent by mail instead of as edXML status messages: "Xác nhận đã nhận văn bản số
 * 123/UBND-VX", read/disposition notifications (RFC 8098), and the notices document systems send
 * when a document was received, refused or handled.
 */
import { foldDiacritics } from '../text.ts';
import { parseNotation } from '../rules/notation.ts';
import type { MailFacts } from './automated.ts';

const RECEIPT = [
  /\b(xac nhan|bao) (da )?(nhan|tiep nhan) (duoc )?van ban\b/,
  /\bphieu bao nhan\b/,
  /\bthong bao (da )?(nhan|tiep nhan) van ban\b/,
  /\bvan ban (so [^ ]+ )?da (duoc )?(tiep nhan|nhan|xu ly xong|hoan thanh)\b/,
  /\btu choi tiep nhan van ban\b/,
  /\bbao nhan van ban\b/,
  /^(read|displayed|da doc|da xem)\s*:/,
];

export interface Receipt {
  reason: string;
  notation: string | null;
}

export function receiptOf(m: MailFacts): Receipt | null {
  if (m.reportType === 'disposition-notification' || m.partTypes.includes('message/disposition-notification')) {
    return { reason: 'message disposition notification (RFC 8098 read receipt)', notation: null };
  }
  const subject = foldDiacritics(m.subject).replace(/^(re|tl|fw|fwd)\s*:\s*/, '');
  const head = foldDiacritics(m.bodyText.slice(0, 600));
  const hit = RECEIPT.find((re) => re.test(subject)) ?? RECEIPT.find((re) => re.test(head));
  if (!hit) return null;
  const notation = parseNotation(m.subject) ?? parseNotation(m.bodyText.slice(0, 600));
  return { reason: 'receipt notice by mail', notation: notation?.notation ?? null };
}
