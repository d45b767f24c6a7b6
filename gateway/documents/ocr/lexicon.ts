/**
 * Corrections of OCR words against the phrases official documents are made of (docs/ocr.md,
 * "Corrections"): tesseract often gets the letters of a heading right and a diacritic wrong
 * ("LÂM ĐÔNG" for "LÂM ĐỒNG", "GIÁM ĐÔC", "PHÓ CHỦ TỊCH" as "PHÓ CHU TỊCH"), most of all on capitals,
 * where the marks are small and crowd the line above. A run of two or more words of one line whose
 * letters, diacritics aside, are those of a known phrase — a province or city (gazetteer.ts), a body
 * of Decree 30 Appendix II, a heading, a title a signer holds — and whose capitals are placed as
 * the phrase's (or all capitals) is given the phrase's diacritics, in the case it was printed in.
 *
 * Single words are never corrected: "ĐỐC" and "ĐỘC" fold alike and only the phrase tells them
 * apart. A phrase whose folded form two phrases share is not used. The notation's number, the day
 * and the month get the digits tesseract mistakes for letters ("5l/TTr-SNV" → "51/TTr-SNV",
 * "ngày l2" → "ngày 12").
 */
import { CITIES, PROPER_PHRASES, PROVINCES } from '../gazetteer.ts';
import { foldDiacritics, modernToneMarks } from '../text.ts';

/** Headings, signer titles and the words around them, as Decree 30 writes them. */
const OFFICIAL_PHRASES = [
  'Cộng hòa xã hội chủ nghĩa Việt Nam',
  'Ủy ban nhân dân',
  'Hội đồng nhân dân',
  'Ban Chấp hành',
  'Ban Thường vụ',
  'Tỉnh đoàn',
  'Văn phòng',
  'Kính gửi',
  'Nơi nhận',
  'Như trên',
  'Giám đốc',
  'Phó Giám đốc',
  'Chủ tịch',
  'Phó Chủ tịch',
  'Bộ trưởng',
  'Thứ trưởng',
  'Chủ nhiệm',
  'Phó Chủ nhiệm',
  'Chánh Văn phòng',
  'Phó Chánh Văn phòng',
  'Bí thư',
  'Phó Bí thư',
  'Trưởng ban',
  'Phó Trưởng ban',
  'Cục trưởng',
  'Phó Cục trưởng',
  'Vụ trưởng',
  'Tổng cục trưởng',
  'Chánh án',
  'Viện trưởng',
  'Chánh Thanh tra',
  'Công an tỉnh',
  'Thủ tướng',
  'Phó Thủ tướng',
  'Công văn',
  'Công điện',
  'Tờ trình',
  'Quyết định',
  'Giấy mời',
  'Thông báo',
  'Kế hoạch',
  'Báo cáo',
  'Nghị quyết',
  'Chỉ thị',
  'Về việc',
];

/**
 * Word pairs of official prose tesseract often reads with a wrong mark ("tô chức", "hợp nhât",
 * "Ban Chí đạo", "ý kiên"), none of which folds like another pair in use.
 */
const PROSE_PAIRS = [
  'tổ chức',
  'chỉ đạo',
  'hợp nhất',
  'ý kiến',
  'góp ý',
  'dự thảo',
  'kế hoạch',
  'cải cách',
  'hành chính',
  'kiểm tra',
  'đề nghị',
  'đề án',
  'hồ sơ',
  'công tác',
  'triển khai',
  'thực hiện',
  'nhiệm vụ',
  'nhiệm kỳ',
  'đại hội',
  'công chứng',
  'trên địa bàn',
  'quốc gia',
  'dữ liệu',
  'phiên họp',
  'sơ kết',
  'tổng thể',
  'giai đoạn',
  'trọng tâm',
  'giải pháp',
  'nhà nước',
  'ban hành',
  'báo cáo',
  'tình hình',
  'hoạt động',
  'quản lý',
  'địa phương',
  'tiến bộ',
  'phụ nữ',
  'thư ký',
  'giúp việc',
  'giới thiệu',
  'lãnh đạo',
  'tham gia',
  'cung cấp',
  'dịch vụ',
  'viễn thông',
  'công ích',
  'sửa đổi',
  'bổ sung',
  'chủ trương',
  'cai nghiện',
  'ma túy',
  'tự nguyện',
  'gia đình',
  'cộng đồng',
];

const ADMIN_PREFIXES = ['tỉnh', 'thành phố', 'huyện', 'quận', 'thị xã'];

/** Letters only, folded: the key two spellings of one phrase share. */
function key(word: string): string {
  return foldDiacritics(word).replace(/[^a-z0-9]/g, '');
}

function core(token: string): { lead: string; body: string; tail: string } {
  const m = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(token) as RegExpExecArray;
  return { lead: m[1], body: m[2], tail: m[3] };
}

interface Phrase {
  words: string[];
  keys: string[];
}

/** Family names (họ), the commonest first: a name line's first word that folds like one takes its marks. */
const FAMILY_NAMES = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
  'Đinh',
  'Đoàn',
  'Trương',
  'Lương',
  'Trịnh',
  'Phùng',
  'Đào',
  'Thái',
  'Vương',
  'Châu',
  'Kiều',
  'Quách',
  'Lưu',
  'Triệu',
  'Đàm',
  'Tăng',
];
const FAMILY = new Map(FAMILY_NAMES.map((n) => [key(n), n]));

/** A family name of the list, as written (marks and capital): the first word of a name the lexicon vouches for (signer-band.ts). */
export function isFamilyName(word: string): boolean {
  return FAMILY_NAMES.includes(word.normalize('NFC'));
}

function build(): Map<string, Phrase | null> {
  const places = [...PROVINCES, ...CITIES];
  const all = [
    ...OFFICIAL_PHRASES,
    ...PROSE_PAIRS,
    ...PROPER_PHRASES,
    ...places,
    ...places.flatMap((p) => ADMIN_PREFIXES.map((a) => `${a} ${p}`)),
    ...places.map((p) => `Ủy ban nhân dân tỉnh ${p}`),
    ...places.map((p) => `UBND tỉnh ${p}`),
  ];
  const byKey = new Map<string, Phrase | null>();
  for (const text of all) {
    const words = modernToneMarks(text.normalize('NFC'))
      .split(/\s+/)
      .filter((w) => key(w));
    if (words.length < 2) continue;
    const keys = words.map(key);
    const k = keys.join(' ');
    const had = byKey.get(k);
    // Two phrases that fold alike but differ: neither can be told from the other.
    if (had !== undefined && had !== null && had.words.join(' ').toLowerCase() !== words.join(' ').toLowerCase()) byKey.set(k, null);
    else if (had === undefined) byKey.set(k, { words, keys });
  }
  return byKey;
}

let lexicon: Map<string, Phrase | null> | undefined;
/** The same phrases by their letters run together ("lamdong"), for words split or glued by OCR. */
let joined: Map<string, Phrase | null> | undefined;
let longest = 0;

function phrases(): Map<string, Phrase | null> {
  if (!lexicon) {
    lexicon = build();
    joined = new Map();
    for (const p of lexicon.values()) {
      if (!p) continue;
      longest = Math.max(longest, p.words.length);
      const k = p.keys.join('');
      const had = joined.get(k);
      joined.set(k, had === undefined ? p : had && had.words.join(' ') === p.words.join(' ') ? had : null);
    }
  }
  return lexicon;
}

const isUpper = (s: string) => s === s.toUpperCase() && s !== s.toLowerCase();
const isCapital = (s: string) => {
  const c = s.charAt(0);
  return c === c.toUpperCase() && c !== c.toLowerCase();
};

/** The case of the printed words: all capitals, or each word's initial as the phrase has it. */
function casing(bodies: string[], phrase: string[]): 'upper' | 'phrase' | null {
  if (bodies.every((b) => isUpper(b) || b.length === 1 || /^\P{L}+$/u.test(b)) && bodies.some((b) => b.length > 1 && isUpper(b))) return 'upper';
  if (bodies.every((b, i) => isCapital(b) === isCapital(phrase[i]) || (i === 0 && isCapital(b)))) return 'phrase';
  return null;
}

/**
 * The words of one line with known phrases given their diacritics: the same number of tokens
 * (a token keeps its punctuation), the longest phrase first from each position.
 */
export function correctTokens(tokens: string[]): string[] {
  const lex = phrases();
  // Specks read as a lone underscore or tilde between words: no word of Vietnamese.
  // Two words read as one where a small letter runs into a capital ("hànhKế" → "hành Kế").
  const out = tokens.map((t) =>
    /^[_~`]+$/.test(t) && tokens.some((o) => /\p{L}/u.test(o)) ? '' : t.normalize('NFC').replace(/(?<=\p{Ll}{2})(?=\p{Lu}\p{Ll})/gu, ' '),
  );
  const parts = out.map((t) => core(t.normalize('NFC')));
  const keys = parts.map((p) => key(p.body));
  for (let i = 0; i < tokens.length; ) {
    let matched = 0;
    for (let n = Math.min(longest, tokens.length - i); n >= 2 && !matched; n--) {
      const span = keys.slice(i, i + n);
      if (span.some((k) => !k)) continue;
      const phrase = lex.get(span.join(' '));
      if (!phrase) continue;
      const bodies = parts.slice(i, i + n).map((p) => p.body);
      const mode = casing(bodies, phrase.words);
      if (!mode) continue;
      for (let j = 0; j < n; j++) {
        const word =
          mode === 'upper'
            ? phrase.words[j].toUpperCase()
            : j === 0 && isCapital(bodies[0])
              ? phrase.words[j].charAt(0).toUpperCase() + phrase.words[j].slice(1)
              : phrase.words[j];
        const p = parts[i + j];
        // Only the diacritics change: the printed letters (folded) are the phrase's already.
        if (word !== p.body) out[i + j] = `${p.lead}${word}${p.tail}`;
      }
      matched = n;
    }
    if (!matched) matched = rejoin(out, parts, keys, i);
    i += matched || 1;
  }
  familyName(out);
  return dateDigits(out.map((t, i) => (i + 1 < out.length && /^\/[\p{Lu}Đ]/u.test(out[i + 1]) ? notationDigits(`${t}/`).slice(0, -1) : notationDigits(t))));
}

/** Marks tesseract reads for the digits 1 and 0 of a handwritten or stamped day ("II", "!2", "/5", "I2", "lO"). */
const digits = (s: string) => s.replace(/[lI!|/]/g, '1').replace(/[Oo]/g, '0');
const DAYISH = '[\\dlIO!|/]{1,2}';
/** A day or month as tesseract may read it: digits and look-alikes, at least one digit or two ones ("II"). */
const dayish = (s: string) => new RegExp(`^${DAYISH}$`).test(s) && (/\d/.test(s) || /^[lI!|]{2}$/.test(s));
const GLUED = new RegExp(`^(ngày|Ngày)(${DAYISH})(tháng|Tháng)?([,.]?)$`, 'u');
const BEFORE_THANG = new RegExp(`^(${DAYISH})(tháng|Tháng)$`, 'u');

/**
 * The day and month of a date ("ngày 12 tháng 11 năm 2020") as digits when tesseract read them
 * as look-alikes, and apart from the words they were glued to ("ngày!2" → "ngày 12",
 * "ngày24tháng" → "ngày 24 tháng", "tháng 9_" → "tháng 9"): only right after "ngày" or "tháng".
 */
export function dateDigits(tokens: string[]): string[] {
  return tokens.map((raw, i) => {
    const t = raw.normalize('NFC');
    const glued = GLUED.exec(t);
    if (glued && dayish(glued[2])) return `${glued[1]} ${digits(glued[2])}${glued[3] ? ` ${glued[3]}` : ''}${glued[4]}`;
    const prev = i > 0 ? tokens[i - 1].normalize('NFC').toLowerCase() : '';
    if (prev !== 'ngày' && prev !== 'tháng') return raw;
    const before = BEFORE_THANG.exec(t);
    if (before && prev === 'ngày' && dayish(before[1])) return `${digits(before[1])} ${before[2]}`;
    const { body, tail } = core(t);
    if (dayish(body)) return digits(body) + tail.replace(/^_+/, '');
    const trailing = /^(\d{1,2})_+$/.exec(t);
    return trailing ? trailing[1] : raw;
  });
}

/**
 * Words OCR split or glued ("BỌ TRƯỞN G", "Lâmđòng") whose letters run together are a phrase's:
 * the phrase, cased as printed, in the first word, the others emptied. The number of words taken.
 */
function rejoin(out: string[], parts: Array<{ lead: string; body: string; tail: string }>, keys: string[], i: number): number {
  for (let n = Math.min(longest + 2, keys.length - i); n >= 1; n--) {
    const span = keys.slice(i, i + n);
    if (span.some((k) => !k)) continue;
    const phrase = joined?.get(span.join(''));
    if (!phrase || phrase.words.length === n) continue;
    const bodies = parts.slice(i, i + n).map((p) => p.body);
    const letters = bodies.join('');
    const upper = isUpper(letters) && letters.replace(/\P{L}/gu, '').length > 2;
    if (!upper && !(isCapital(bodies[0]) && isCapital(phrase.words[0]))) continue;
    const text = upper ? phrase.words.join(' ').toUpperCase() : phrase.words.join(' ');
    out[i] = `${parts[i].lead}${text}${parts[i + n - 1].tail}`;
    for (let j = 1; j < n; j++) out[i + j] = '';
    return n;
  }
  return 0;
}

/** A line that is a person's name (two to five capitalised words): its first word, a family name, with its marks ("Trân Bình Trọng"). */
function familyName(out: string[]): void {
  const words = out.filter((t) => t.trim());
  if (words.length < 2 || words.length > 5) return;
  if (!words.every((w) => /^\p{Lu}\p{Ll}*[.,;]?$/u.test(w.normalize('NFC')))) return;
  const at = out.findIndex((t) => t.trim());
  const { body, tail } = core(out[at].normalize('NFC'));
  const family = FAMILY.get(key(body));
  if (family && family !== body) out[at] = family + tail;
}

/** A notation's number with the letters tesseract reads for digits made digits ("5l/TTr-SNV" → "51/TTr-SNV"). */
export function notationDigits(token: string): string {
  const m = /^([\dlIO]+)(\/(?:[\p{Lu}Đ].*)?)$/u.exec(token);
  if (!m || !/\d/.test(m[1]) || !/[lIO]/.test(m[1])) return token;
  return m[1].replace(/[lI]/g, '1').replace(/O/g, '0') + m[2];
}

/** A text, line by line (tokens split at white space, which is kept as one space). */
export function correctText(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() ? correctTokens(line.split(' ')).join(' ') : line))
    .join('\n');
}
