/**
 * Is a text layer Vietnamese that can be read, or the garbage a scanner's own OCR or a font
 * without a Unicode map leaves behind (docs/ocr.md, "Broken text layers")? Two shapes are common
 * in the mail of agencies:
 *   - every diacritic lost ("Uy ban nhdn ddn tinh", "LdmD6ng,ngdy l0thdng 9"): Vietnamese words,
 *     but almost none of them carries a mark — real Vietnamese has one on about every other word;
 *   - letters mapped to Latin-1 look-alikes ("CØNG HOÀXÃ HØI", "nghiÇn", "t¡i"): characters that
 *     are no Vietnamese letter, and capitals in the middle of small letters, inside words.
 * Only text that is recognisably Vietnamese administrative writing is judged (an English PDF has
 * no marks and is not broken): the folded text must hold a few of its commonest words.
 * Text in a legacy 8-bit encoding (TCVN3, VNI) is converted before it is judged, elsewhere.
 */
import { foldDiacritics } from '../text.ts';

export interface TextQuality {
  broken: boolean;
  /** Words looked at (letters only, two or more). */
  words: number;
  /** Share of those words with a Vietnamese mark (tone or vowel mark, đ). */
  marked: number;
  /** Share of tokens holding a character no Vietnamese word has (Ø, Ç, ¡, °…). */
  foreign: number;
  /** Share of tokens with a capital after a small letter ("nghiÇn", "tÉnh", "l0thdng" is not): look-alikes and OCR noise. */
  mixed: number;
  reason: 'no-diacritics' | 'look-alikes' | null;
}

/** Letters of Vietnamese beyond ASCII (NFC), lower case; upper case is compared lowered. */
const VI_MARKED = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/u;
const VI_LETTER = /^[a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]+$/u;
/** Latin-1 supplement and Latin Extended-A letters outside Vietnamese (Ð for Đ is a common typing, not counted), and Latin-1 symbols. */
const FOREIGN =
  /[\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce\u00cf\u00d1\u00d6-\u00d8\u00db\u00dc\u00de\u00df\u00e4-\u00e7\u00eb\u00ee\u00ef\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe\u00ff\u0100\u0101\u0104-\u010f\u0112-\u0127\u012a-\u0167\u016a-\u017f]/u;
/** Words of nearly every official document, folded: at least MIN_KEYWORDS of them make the text Vietnamese administrative. */
const KEYWORDS = ['uy ban', 'tinh', 'nam', 'ngay', 'thang', 'so', 'cong', 'nhan', 'dan', 'noi', 'kinh gui', 'cua', 'va', 'cac', 'theo', 've'];
const MIN_KEYWORDS = 4;
const MIN_WORDS = 40;
const MIN_MARKED = 0.15;
const MAX_FOREIGN = 0.08;
/** Real documents of the corpus stay under 0.6 % of such words; the two broken layers there have 13 % and 18 %. */
const MAX_MIXED = 0.05;

export function textQuality(text: string, sample = 20_000): TextQuality {
  const head = text.slice(0, sample).normalize('NFC');
  const tokens = head.split(/\s+/).filter((t) => /\p{L}/u.test(t));
  let words = 0;
  let marked = 0;
  let foreign = 0;
  let mixed = 0;
  for (const t of tokens) {
    if (FOREIGN.test(t)) foreign++;
    if (/\p{Ll}\p{Lu}/u.test(t)) mixed++;
    const w = t.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '').toLowerCase();
    if (w.length < 2 || !VI_LETTER.test(w)) continue;
    words++;
    if (VI_MARKED.test(w)) marked++;
  }
  const result: TextQuality = {
    broken: false,
    words,
    marked: words ? Math.round((marked / words) * 1000) / 1000 : 0,
    foreign: tokens.length ? Math.round((foreign / tokens.length) * 1000) / 1000 : 0,
    mixed: tokens.length ? Math.round((mixed / tokens.length) * 1000) / 1000 : 0,
    reason: null,
  };
  if (tokens.length < MIN_WORDS) return result;
  const folded = ` ${foldDiacritics(head).replace(/[^a-z0-9]+/g, ' ')} `;
  const hits = KEYWORDS.filter((k) => folded.includes(` ${k} `)).length;
  if (hits < MIN_KEYWORDS) return result;
  if (words >= MIN_WORDS && result.marked < MIN_MARKED) return { ...result, broken: true, reason: 'no-diacritics' };
  if (result.foreign > MAX_FOREIGN || result.mixed > MAX_MIXED) return { ...result, broken: true, reason: 'look-alikes' };
  return result;
}

/** The reason given for a document whose text layer is garbage (review, or OCR when it can be had). */
export function brokenTextReason(name: string, q: TextQuality): string {
  const why =
    q.reason === 'look-alikes'
      ? `chữ bị thay bằng ký tự Latin-1 (${Math.round(q.foreign * 100)}% từ) — letters mapped to Latin-1 look-alikes`
      : `mất dấu tiếng Việt (${Math.round(q.marked * 100)}% từ có dấu) — diacritics lost`;
  return `${name}: lớp chữ hỏng, cần OCR hoặc văn thư đọc — broken text layer, needs OCR or a clerk: ${why}`;
}
