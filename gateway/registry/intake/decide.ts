/**
 * The decision for a classified message (docs/domain.md, "Handling an incoming electronic document"): register automatically, send to the
 * clerk's review queue with reasons, quarantine secret documents, link status notices and
 * duplicates, keep ordinary correspondence, drop automated mail. Pure: the caller looks up
 * duplicates and stores the result.
 */
import type { Classification } from '../../documents/types.ts';
import type { RegistryConfig } from '../../config/registry.ts';
import type { DocFields } from './fields.ts';
import { coverageReasons, missingRequired, REQUIRED_LABELS } from './integrity.ts';

export interface VerifyResult {
  verdict: string;
  signatures?: Array<{
    layer: string;
    verdict: string;
    reasons?: string[];
    attachment?: string | null;
    modifiedAfterSigning?: boolean;
    /** none | permitted | forbidden | unknown (gateway/trust/pdf-changes.ts); absent in reports made before it existed. */
    changesAfterSigning?: string;
    changes?: Array<{ permitted: boolean; vi: string; en: string }>;
  }>;
}

export type Action = 'register' | 'review' | 'quarantine' | 'link' | 'keep' | 'drop';

export interface Decision {
  action: Action;
  reasons: string[];
  linkTo: string | null;
}

export interface PolicyInput {
  classification: Classification | null;
  verify: VerifyResult | null;
  policy: RegistryConfig['policy'];
  /** An earlier document of the same unit this one repeats (same notation + issuer + date, or same attachment). */
  duplicateOf: string | null;
  /** The outgoing document a status notice answers, when found. */
  answers: string | null;
  /** The fields the document would be booked with (classification + fallbacks); from the classification when absent. */
  fields?: Pick<DocFields, 'notation' | 'issuer' | 'issuedDate' | 'subject' | 'typeCode' | 'typeName'>;
  /** The pipeline stopped the message with a permanent outcome (a limit passed, unreadable mail; gateway/workers/pipeline.ts): review, with the clerk's reason. */
  outcome?: { code: string; reason: string } | null;
  /** The document was read by OCR from a scan (docs/ocr.md): a low-confidence read is never booked without a clerk. */
  ocr?: { confidence: number; minConfidence: number; low: boolean } | null;
}

export function unitPolicy(reg: RegistryConfig, unitId: string): RegistryConfig['policy'] {
  return { ...reg.policy, ...(reg.units[unitId]?.policy ?? {}) };
}

export function decide(input: PolicyInput): Decision {
  if (input.outcome) return { action: 'review', reasons: [input.outcome.reason], linkTo: null };
  const c = input.classification;
  if (!c) return { action: 'review', reasons: ['Chưa có kết quả phân loại (no classification result)'], linkTo: null };
  if (c.kind === 'automated') return { action: 'drop', reasons: ['Thư tự động (automated mail)'], linkTo: null };
  if (c.kind === 'correspondence') {
    // Unsure correspondence (an attachment that could not be read may have been the document)
    // goes to a clerk: a missed official document costs more than a look at a letter.
    if (c.confidence < input.policy.confidenceThreshold) {
      return {
        action: 'review',
        reasons: [`Có thể là văn bản: độ tin cậy ${c.confidence.toFixed(2)} (possibly a document: low confidence)`, ...c.reasons.map((r) => `Phân loại: ${r}`)],
        linkTo: null,
      };
    }
    return { action: 'keep', reasons: ['Thư thông thường, không phải văn bản (ordinary correspondence)'], linkTo: null };
  }
  if (c.kind === 'status') return { action: 'link', reasons: ['Thông báo trạng thái văn bản (status notice)'], linkTo: input.answers };
  const d = c.document;
  if (d && d.secrecy !== 'normal') {
    return {
      action: 'quarantine',
      reasons: [`Văn bản mật (${d.secrecy}): không được gửi qua thư điện tử thông thường (secret document must not travel by ordinary e-mail)`],
      linkTo: null,
    };
  }
  if (input.duplicateOf)
    return { action: 'link', reasons: ['Trùng với văn bản đã nhận (duplicate of a document already received)'], linkTo: input.duplicateOf };
  const reasons: string[] = [];
  if (!d) reasons.push('Không trích xuất được thông tin văn bản (no document metadata)');
  else {
    // The fields a clerk could not book empty either (integrity.ts): the book must not get them blank.
    for (const k of missingRequired(input.fields ?? d)) reasons.push(`Thiếu ${REQUIRED_LABELS[k].vi} (no ${REQUIRED_LABELS[k].en})`);
  }
  // A signature that does not cover what arrived: forbidden changes never go into the book unseen.
  const coverage = coverageReasons(input.verify?.signatures);
  reasons.push(...coverage.blocking);
  if (!input.verify) reasons.push('Chưa kiểm tra chữ ký (signature check missing)');
  else if (input.verify.verdict !== 'valid') reasons.push(`Chữ ký số: ${input.verify.verdict} (document signatures not all valid)`);
  if (c.confidence < input.policy.confidenceThreshold)
    reasons.push(`Độ tin cậy ${c.confidence.toFixed(2)} < ${input.policy.confidenceThreshold} (low classification confidence)`);
  if (input.ocr?.low)
    reasons.push(`Đọc bằng OCR, độ tin cậy ${input.ocr.confidence}% < ${input.ocr.minConfidence}% (low-confidence OCR read: check the fields)`);
  if (!input.policy.autoRegister) reasons.push('Đơn vị không bật tự động vào sổ (auto-register is off for this unit)');
  for (const r of c.reasons) reasons.push(`Phân loại: ${r}`);
  reasons.push(...coverage.notes);
  const blocking = reasons.filter((r) => !r.startsWith('Phân loại: ') && !r.startsWith('Ghi chú: '));
  return blocking.length ? { action: 'review', reasons, linkTo: null } : { action: 'register', reasons, linkTo: null };
}
