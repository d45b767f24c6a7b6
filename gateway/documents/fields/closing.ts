/**
 * Fields of the closing band (Decree 30 Appendix I, boxes 7a–7c and 9): the signer from the
 * signature block — the authority nearest the title ("KT. CHỦ TỊCH" under "TM. ỦY BAN NHÂN DÂN"),
 * the title lines under it, and the name: the last line, after the space left for the signature
 * and seal — and the recipients from the "Nơi nhận:" list beside it.
 */
import { personNameCase, startsWithBodyHead, titleCase } from '../casing.ts';
import { docFromLines } from '../prepare.ts';
import { AUTHORITY, isPersonName, isSignatureNoise } from '../rules/layout.ts';
import { readRecipients } from '../rules/recipients.ts';
import { authorityCase, TITLE_WORDS } from '../rules/signer.ts';
import { foldSameLength, isUpperLine } from '../text.ts';
import type { BlockLine } from '../layout/types.ts';
import type { Signer } from '../types.ts';

/** Text a signing tool or a copy adds around the block: never the signer's title or name. */
function isStampNoise(line: BlockLine): boolean {
  const f = foldSameLength(line.text);
  return (
    isSignatureNoise(f) ||
    /^(digitally signed|signed by|ky boi|date:|ngay ky|thoi gian|to chuc|co quan|email|e-mail)\b/.test(f) ||
    /@|\d{1,2}[.:/]\d{2}[.:/]\d{2,4}|\+\d{2}:\d{2}/.test(line.text) ||
    /^[\s*_\-=–—.~•·#+()]+$/.test(line.text)
  );
}

/** Military and police ranks written before a name ("Thiếu tướng Trương Minh Đương"). */
const RANK = /^(đại tướng|thượng tướng|trung tướng|thiếu tướng|đại tá|thượng tá|trung tá|thiếu tá|đại úy|thượng úy|trung úy|thiếu úy)\s+/iu;

function nameOf(text: string): string | null {
  const bare = text
    // A stray lower-case glyph run into the name ("ơNguyễn Đức Vũ", a mark of the signature
    // image): a name never starts in lower case.
    .replace(/^\p{Ll}{1,3}(?=\p{Lu})/u, '')
    .replace(RANK, '')
    .replace(/[.,;]+$/, '')
    .trim();
  return isPersonName(bare) ? personNameCase(bare) : null;
}

export function readSignerBlock(right: BlockLine[]): Signer | null {
  const lines = right.filter((l) => !isStampNoise(l));
  let at = -1;
  lines.forEach((l, i) => {
    if (AUTHORITY.test(foldSameLength(l.text)) && isUpperLine(l.text)) at = i;
  });
  const authority = at >= 0 ? authorityCase(lines[at].text, AUTHORITY.exec(foldSameLength(lines[at].text))!) : null;
  // The name: the last line that is a person's name (below the space for the signature).
  let nameAt = -1;
  for (let i = lines.length - 1; i > at; i--) {
    if (nameOf(lines[i].text) && !TITLE_WORDS.test(foldSameLength(lines[i].text))) {
      nameAt = i;
      break;
    }
  }
  // The title: the capital lines right under the authority (or opening the block), up to the gap.
  const titleLines: string[] = [];
  for (let i = at + 1; i < (nameAt >= 0 ? nameAt : lines.length); i++) {
    const l = lines[i];
    if (!isUpperLine(l.text) || (titleLines.length > 0 && (l.gapBefore ?? 0) > 1.5)) break;
    if (titleLines.length === 0 && !TITLE_WORDS.test(foldSameLength(l.text)) && at < 0) continue;
    // A second line names the body the title is of ("VỤ TRƯỞNG" / "VỤ CẢI CÁCH HÀNH CHÍNH").
    if (titleLines.length > 0 && !startsWithBodyHead(l.text)) break;
    titleLines.push(l.text);
  }
  const title = titleLines.length ? titleCase(titleLines.join(' ')) : null;
  if (authority === null && title === null) return null;
  return { name: nameAt >= 0 ? nameOf(lines[nameAt].text) : null, title, authority };
}

export function readRecipientsBlock(left: BlockLine[]): string[] {
  const doc = docFromLines(left.map((l) => l.text));
  const at = doc.folded.findIndex((f) => /^noi nhan\b/.test(f));
  return at >= 0 ? readRecipients(doc, at) : [];
}
