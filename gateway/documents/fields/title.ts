/**
 * The type and trích yếu from their blocks: the title block (type name, then the summary over as
 * many lines as it takes, up to the body) or, for a công văn, the "V/v …" lines under "Số:" in the
 * left column of the header. Returned without the "Về việc"/"V/v"/"Về" prefix, lines joined.
 */
import { findTitleHeading, type Summary } from '../rules/heading.ts';
import { isMarkLine } from '../rules/marks.ts';
import type { DocType } from '../rules/type-codes.ts';
import { foldSameLength } from '../text.ts';
import type { BlockLine } from '../layout/types.ts';

const PREFIX = /^[“"'(]?\s*(ve viec|v\/v|v\.v|ve)\s*[:.]?\s+/;
/** The old form: "CỦA THỦ TƯỚNG CHÍNH PHỦ SỐ 112/2001/QĐ-TTG NGÀY … VỀ VIỆC …". */
const OLD_FORM = /^cua .*? (ve viec|v\/v) /;

/** Lines joined by a space, except after a hyphen ending a word ("3183/SNV-" / "TCBC"): the notation goes on. */
function joinLines(parts: string[]): string {
  let out = '';
  for (const p of parts) out += out && !(/\S[-‐]$/.test(out) && /^\S/.test(p)) ? ` ${p}` : p;
  return out;
}

function clean(parts: string[]): { text: string; vv: boolean } | null {
  let text = joinLines(parts).replace(/\s+/g, ' ').trim();
  let vv = false;
  const m = PREFIX.exec(foldSameLength(text));
  if (m) {
    vv = m[1] === 'v/v' || m[1] === 'v.v';
    text = text.slice(m[0].length);
  }
  const old = OLD_FORM.exec(foldSameLength(text));
  if (old) text = text.slice(old[0].length);
  // Quotes around a whole "V/v" summary are the writer's, not the title's.
  if (/^[“"]/.test(parts[0] ?? '') && /[”"]\s*$/.test(text)) text = text.replace(/[”"]\s*$/, '');
  text = text.replace(/[\s.;:,]+$/, '').trim();
  return text ? { text, vv } : null;
}

export interface TitleRead {
  type: DocType | undefined;
  summary: Summary | null;
  /** The heading was found (a typed document, not a công văn). */
  heading: boolean;
}

/** Type and summary from the title block. */
export function readTitleBlock(title: BlockLine[]): TitleRead {
  if (title.length === 0) return { type: undefined, summary: null, heading: false };
  const h = findTitleHeading(title[0].text);
  const parts = title.slice(1).map((l) => l.text);
  if (h?.inline !== null && h?.inline !== undefined) parts.unshift(title[0].text.slice(h.inline));
  const s = clean(parts);
  return {
    type: h?.type,
    summary: s ? { index: 0, end: title.length, text: s.text, vv: s.vv } : null,
    heading: h !== null,
  };
}

/** "V/v …" under the number in the left column (công văn), up to the end of the column. */
export function readVv(left: BlockLine[], numberAt: number): Summary | null {
  const from = numberAt >= 0 ? numberAt + 1 : 0;
  const start = left.findIndex((l, i) => i >= from && PREFIX.test(foldSameLength(l.text)) && /^[“"'(]?\s*(v\/v|v\.v|ve viec)/.test(foldSameLength(l.text)));
  if (start < 0) return null;
  const parts: string[] = [];
  for (let i = start; i < left.length; i++) {
    const t = left[i].text;
    if (isMarkLine(t) || /^(kinh gui|noi nhan)\b/.test(foldSameLength(t))) break;
    if (i > start && (left[i].gapBefore ?? 0) > 1.5) break;
    parts.push(t);
  }
  const s = clean(parts);
  return s ? { index: start, end: start + parts.length, text: s.text, vv: true } : null;
}
