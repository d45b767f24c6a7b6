/** Document types and their codes: Decree 30/2020/NĐ-CP Appendix III, plus legal normative types. */
import { foldSameLength } from '../text.ts';

export interface DocType {
  code: string;
  name: string;
  /** Legal normative documents carry the year in their notation. */
  legal?: boolean;
}

export const DOC_TYPES: DocType[] = [
  { code: 'NQ', name: 'Nghị quyết' },
  { code: 'QĐ', name: 'Quyết định' },
  { code: 'CT', name: 'Chỉ thị' },
  { code: 'QC', name: 'Quy chế' },
  { code: 'QYĐ', name: 'Quy định' },
  { code: 'TC', name: 'Thông cáo' },
  { code: 'TB', name: 'Thông báo' },
  { code: 'HD', name: 'Hướng dẫn' },
  { code: 'CTr', name: 'Chương trình' },
  { code: 'KH', name: 'Kế hoạch' },
  { code: 'PA', name: 'Phương án' },
  { code: 'ĐA', name: 'Đề án' },
  { code: 'DA', name: 'Dự án' },
  { code: 'BC', name: 'Báo cáo' },
  { code: 'BB', name: 'Biên bản' },
  { code: 'TTr', name: 'Tờ trình' },
  { code: 'HĐ', name: 'Hợp đồng' },
  { code: 'CĐ', name: 'Công điện' },
  { code: 'BGN', name: 'Bản ghi nhớ' },
  { code: 'BTT', name: 'Bản thỏa thuận' },
  { code: 'GUQ', name: 'Giấy ủy quyền' },
  { code: 'GM', name: 'Giấy mời' },
  { code: 'GGT', name: 'Giấy giới thiệu' },
  { code: 'GNP', name: 'Giấy nghỉ phép' },
  { code: 'PG', name: 'Phiếu gửi' },
  { code: 'PC', name: 'Phiếu chuyển' },
  { code: 'PB', name: 'Phiếu báo' },
  { code: 'SY', name: 'Bản sao y' },
  { code: 'TS', name: 'Bản trích sao' },
  { code: 'SL', name: 'Bản sao lục' },
  { code: 'CV', name: 'Công văn' },
  { code: 'NĐ', name: 'Nghị định', legal: true },
  { code: 'TTLT', name: 'Thông tư liên tịch', legal: true },
  { code: 'TT', name: 'Thông tư', legal: true },
];

const byCode = new Map(DOC_TYPES.map((t) => [t.code, t]));
const byFoldedName = new Map(DOC_TYPES.map((t) => [foldSameLength(t.name), t]));
/** Each type's code folded (foldSameLength), in DOC_TYPES order: folded once, not per lookup. */
const FOLDED_CODES = DOC_TYPES.map((t) => foldSameLength(t.code));

/**
 * A code as written in a notation. Exact first ("HD" Hướng dẫn vs "HĐ" Hợp đồng differ only by Đ);
 * a code typed without Đ ("QD") is accepted only when its folded form names one type.
 */
export function typeByCode(code: string): DocType | undefined {
  const exact = byCode.get(code) ?? byCode.get(code.toUpperCase());
  if (exact) return exact;
  const key = foldSameLength(code);
  const candidates = DOC_TYPES.filter((_, i) => FOLDED_CODES[i] === key);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** A heading ("QUYẾT ĐỊNH", "Thông tư liên tịch") → its type. */
export function typeByName(name: string): DocType | undefined {
  return byFoldedName.get(foldSameLength(name.replace(/\s+/g, ' ').trim()));
}

/** Folded names, longest first, for heading detection. */
export const FOLDED_TYPE_NAMES = [...byFoldedName.keys()].sort((a, b) => b.length - a.length);
