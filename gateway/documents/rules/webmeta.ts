/**
 * The attribute table that legal-document websites print above a copied document
 * ("Số hiệu: 11/2005/CT-UBND Loại văn bản: Chỉ thị", or as a table "Số hiệu | 25/CT-UBND").
 * Read only to confirm or complete what the document itself says.
 */
import type { Doc } from '../prepare.ts';
import { foldSameLength } from '../text.ts';

export interface WebMeta {
  notation?: string;
  typeName?: string;
  issuer?: string;
  signer?: string;
  date?: string;
}

const KEYS: Array<[string, keyof WebMeta | null]> = [
  ['so hieu', 'notation'],
  ['loai van ban', 'typeName'],
  ['noi ban hanh', 'issuer'],
  ['co quan ban hanh', 'issuer'],
  ['nguoi ky', 'signer'],
  ['ngay ban hanh', 'date'],
  ['ngay hieu luc', null],
  ['ngay co hieu luc', null],
  ['ngay cong bao', null],
  ['so cong bao', null],
  ['tinh trang', null],
  ['linh vuc', null],
];

const KEY_RE = new RegExp(`(?:^|\\s)(${KEYS.map(([k]) => k).join('|')})\\s*:`, 'g');

export function readWebMeta(doc: Doc, limit = 40): WebMeta {
  const meta: WebMeta = {};
  const end = Math.min(limit, doc.lines.length);
  for (let i = 0; i < end; i++) {
    const f = doc.folded[i];
    const line = doc.lines[i];
    // Table form: the key alone on a line, its value on the next.
    const alone = KEYS.find(([k]) => f === k);
    if (alone) {
      if (alone[1] && i + 1 < end && !meta[alone[1]]) meta[alone[1]] = doc.lines[i + 1].trim();
      continue;
    }
    const hits = [...f.matchAll(KEY_RE)];
    hits.forEach((h, k) => {
      const field = KEYS.find(([key]) => key === h[1])?.[1];
      const valueStart = (h.index ?? 0) + h[0].length;
      const valueEnd = k + 1 < hits.length ? (hits[k + 1].index ?? line.length) : line.length;
      const value = line.slice(valueStart, valueEnd).trim();
      if (field && value && !meta[field]) meta[field] = value;
    });
  }
  return meta;
}

/** "Tỉnh Bình Thuận" → "tỉnh Bình Thuận", to complete an issuer name. */
export function localityOf(issuer: string | undefined): string | null {
  if (!issuer) return null;
  const m = /^(tinh|thanh pho)\s+(.+)$/.exec(foldSameLength(issuer));
  if (!m) return null;
  const level = issuer.slice(0, m[1].length).toLowerCase();
  return `${level} ${issuer.slice(m[1].length).trim()}`;
}
