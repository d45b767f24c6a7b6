/**
 * Issuer block: the body (and its parent) at the top left, above the notation.
 * "ỦY BAN NHÂN DÂN / TỈNH BẾN TRE" is one name split over two lines; "UBND TỈNH BÌNH THUẬN /
 * SỞ THÔNG TIN VÀ TRUYỀN THÔNG" is a parent and the issuing body, which is then qualified with the
 * parent's locality ("Sở Thông tin và Truyền thông tỉnh Bình Thuận") so the clerk's book says
 * which province's department wrote.
 */
import { organizationCase, startsWithBodyHead } from '../casing.ts';
import type { Doc } from '../prepare.ts';
import { foldSameLength, isUpperLine } from '../text.ts';
import { isNationalTitle, isWebNoise } from './layout.ts';
import { isMarkLine } from './marks.ts';

const LEVEL = /^(tinh|thanh pho|tp\.?|huyen|quan|thi xa|xa|phuong|thi tran)\b/;
/** Teams of a council or an agency, set under it as a body of their own ("ĐOÀN GIÁM SÁT"). */
const TEAM = /^(doan (giam sat|kiem tra|cong tac|thanh tra)|to (cong tac|giup viec))\b/;
/**
 * Parents whose units carry only the locality in their name: the departments and centres of a
 * People's Committee or of a department ("Sở Nội vụ tỉnh Lâm Đồng"). A unit of any other parent —
 * a council's team, a portal's editorial board, a Party committee's board — is named with the
 * whole parent ("Đoàn giám sát Hội đồng nhân dân tỉnh Bình Dương").
 */
const LOCALITY_PARENT = /^(uy ban nhan dan|ubnd|so)\b/;
const LOCALITY = /\b(tinh|thanh pho|huyen|quan|thi xa|phuong|thi tran)\s+\S.*$/;

function isIssuerLine(line: string, folded: string): boolean {
  return isUpperLine(line) && line.length <= 90 && !/[:\d]/.test(line) && !isNationalTitle(folded);
}

/** Collects the issuer lines just above `anchor` (the notation, national title or heading line). */
export function issuerLines(doc: Doc, anchor: number): string[] {
  const found: number[] = [];
  for (let i = anchor - 1; i >= 0 && anchor - i <= 8; i--) {
    const f = doc.folded[i];
    if (isNationalTitle(f) || isMarkLine(doc.lines[i])) continue;
    if (isWebNoise(f) || !isIssuerLine(doc.lines[i], f)) {
      if (found.length > 0) break;
      continue;
    }
    found.push(i);
  }
  return found.reverse().map((i) => doc.lines[i]);
}

/** The locality at the end of a cased name ("tỉnh Bình Thuận"), with its level word. */
function localityIn(name: string): { level: string; text: string } | null {
  const m = LOCALITY.exec(foldSameLength(name));
  return m ? { level: name.slice(m.index, m.index + m[1].length), text: name.slice(m.index) } : null;
}

/** Joins the issuer lines into the name of the issuing body, in a clerk's case. */
export function composeIssuer(lines: string[]): string | null {
  if (lines.length === 0) return null;
  // A line that does not open a new body continues the one above: a locality ("TỈNH BẾN TRE")
  // or the rest of a long name wrapped by the column ("SỞ THÔNG TIN VÀ / TRUYỀN THÔNG").
  const raw: string[] = [];
  for (const line of lines) {
    const folded = foldSameLength(line);
    const opensBody = (startsWithBodyHead(line) || TEAM.test(folded)) && !LEVEL.test(folded);
    if (raw.length > 0 && !opensBody) raw[raw.length - 1] += ' ' + line;
    else raw.push(line);
  }
  const groups = raw.map((r) => (TEAM.test(foldSameLength(r)) ? sentenceCase(r) : organizationCase(r)));
  const unit = groups[groups.length - 1];
  if (groups.length === 1) return unit;
  const parent = groups[groups.length - 2];
  if (unit === 'Văn phòng') return `${unit} ${parent}`;
  const locality = localityIn(parent);
  if (!locality || localityIn(unit)) return unit;
  if (!LOCALITY_PARENT.test(foldSameLength(parent))) return `${unit} ${parent}`;
  // "Công an tỉnh" under "UBND tỉnh Hưng Yên": the level word is already there.
  if (unit.endsWith(` ${locality.level}`)) return `${unit}${locality.text.slice(locality.level.length)}`;
  return `${unit} ${locality.text}`;
}

/** "ĐOÀN GIÁM SÁT" → "Đoàn giám sát": a team's name is a common noun. */
function sentenceCase(line: string): string {
  const lower = line.toLocaleLowerCase('vi');
  return lower.charAt(0).toLocaleUpperCase('vi') + lower.slice(1);
}

/** "Ủy ban nhân dân" with no locality, completed from a known province or city name. */
export function completeIssuer(issuer: string, locality: string | null): string {
  if (!locality || localityIn(issuer)) return issuer;
  if (!/^(Ủy ban nhân dân|Hội đồng nhân dân)$/u.test(issuer)) return issuer;
  return `${issuer} ${locality}`;
}
