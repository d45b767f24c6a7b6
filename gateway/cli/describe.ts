/**
 * Words for states and outcomes in tables (docs/cli.md, "Message states"): a message's state is how
 * far the pipeline got (docs/operations-recovery.md); its outcome is what the registry made of it.
 */
import type { Names } from './output.ts';

export const MESSAGE_STATES: Record<string, { vi: string; en: string }> = {
  accepted: { vi: 'đã nhận', en: 'accepted, waiting for the pipeline' },
  parsed: { vi: 'đã tách thư', en: 'MIME parsed, attachments stored' },
  ocr: { vi: 'chờ OCR', en: 'a scan waits for OCR on the "ocr" queue (docs/ocr.md)' },
  classified: { vi: 'đã phân loại', en: 'document type and fields read' },
  verified: { vi: 'đã kiểm tra chữ ký', en: 'signatures checked' },
  decided: { vi: 'đã xử lý xong', en: 'the registry decided (see the outcome)' },
  failed: { vi: 'lỗi', en: 'failed (lastError says why)' },
};

export const DOCUMENT_STATUSES: Record<string, string> = {
  review: 'chờ duyệt',
  quarantined: 'cách ly (mật)',
  received: 'đã vào sổ',
  assigned: 'đã giao',
  in_progress: 'đang xử lý',
  done: 'hoàn thành',
  returned: 'đã trả lại',
  not_document: 'không phải văn bản',
  linked: 'bản trùng, đã liên kết',
};

export function stateText(state: string): string {
  return MESSAGE_STATES[state]?.vi ?? state;
}

export function statusText(status: string | null | undefined): string {
  return status ? (DOCUMENT_STATUSES[status] ?? status) : '';
}

export interface OutcomeLike {
  unitId: string;
  action: string;
  status: string | null;
  bookYear: number | null;
  bookNumber: number | null;
  department: string | null;
  reasons: string[];
}

/** "vào sổ số 12/2026 → Phòng Ngân sách", "chờ duyệt: chưa có chữ ký số …", "thư thường, giữ lại". */
export function outcomeText(o: OutcomeLike, names: Names, withUnit = false): string {
  const why = o.reasons[0] ? `: ${o.reasons[0]}` : '';
  let text: string;
  if (o.bookNumber !== null) {
    const dept = o.department ? ` → ${names.department(o.unitId, o.department)}` : '';
    text = `vào sổ số ${o.bookNumber}/${o.bookYear} (registered)${dept}${o.status && o.status !== 'received' ? `, ${statusText(o.status)}` : ''}`;
  } else if (o.action === 'review') text = `chờ duyệt (review)${why}`;
  else if (o.action === 'quarantine') text = `cách ly (quarantined)${why}`;
  else if (o.action === 'link') text = `bản trùng, đã liên kết (duplicate)${why}`;
  else if (o.action === 'keep') text = 'thư thường, giữ lại (kept, not a document)';
  else if (o.action === 'drop') text = 'thư tự động, bỏ qua (automated, dropped)';
  else if (o.action === 'return') text = `đã trả lại (returned)${why}`;
  else text = `${statusText(o.status) || o.action}${why}`;
  return withUnit ? `${names.unit(o.unitId)}: ${text}` : text;
}

/** The outcome column of a message: per unit, or where the pipeline is when it has not decided yet. */
export function messageOutcomeText(m: { state: string; lastError?: string | null; outcome?: OutcomeLike[] }, names: Names): string {
  if (m.state === 'failed') return `lỗi (failed): ${m.lastError ?? ''}`.trim();
  const outcomes = m.outcome ?? [];
  if (!outcomes.length) return m.state === 'decided' ? '' : 'đang xử lý… (in progress)';
  return outcomes.map((o) => outcomeText(o, names, outcomes.length > 1)).join('; ');
}
