/**
 * Restores the case a clerk writes from text that headings put in capitals:
 * subjects in sentence case, bodies and titles with the capitals of Decree 30 Appendix II
 * ("Sở Thông tin và Truyền thông tỉnh Bình Thuận", "Phó Chủ tịch"), person names in title case.
 */
import { ADMIN_LEVELS, CITIES, PROPER_PHRASES, PROVINCES } from './gazetteer.ts';
import { foldSameLength, isUpperLine, modernToneMarks, normalizeVietnamese } from './text.ts';

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function titleCaseWords(text: string): string {
  return text
    .split(' ')
    .map((w) => capitalize(w.toLowerCase()))
    .join(' ');
}

const PLACE_NAMES = [...PROVINCES, ...CITIES].sort((a, b) => b.length - a.length);
const PHRASES = [...PROPER_PHRASES].sort((a, b) => b.length - a.length);
/** The phrases restored inside a body's name (not the names of other Sở and Bộ). */
const ORGANIZATION_PHRASES = PHRASES.filter((p) => !p.startsWith('Sở ') && !p.startsWith('Bộ '));

/** Folded search key of each phrase, computed once: the phrase lists are fixed, the calls many. */
const phraseKeys = new Map<string, string>();

function phraseKey(phrase: string): string {
  let key = phraseKeys.get(phrase);
  if (key === undefined) phraseKeys.set(phrase, (key = foldSameLength(modernToneMarks(phrase))));
  return key;
}

/** Replaces each known phrase (matched without regard to case and tone placement) by its proper form. */
function restorePhrases(text: string, phrases: string[]): string {
  let out = text;
  let folded = foldSameLength(out);
  for (const phrase of phrases) {
    const key = phraseKey(phrase);
    let from = 0;
    for (;;) {
      const at = folded.indexOf(key, from);
      if (at < 0) break;
      const end = at + key.length;
      const boundary = (i: number) => i < 0 || i >= folded.length || !/[\p{L}\d]/u.test(folded[i]);
      if (boundary(at - 1) && boundary(end) && out.slice(at, end).length === phrase.length) {
        out = out.slice(0, at) + phrase + out.slice(end);
        folded = foldSameLength(out);
      }
      from = end;
    }
  }
  return out;
}

/** Place names after an administrative level word ("tỉnh bến tre" → "tỉnh Bến Tre"). */
function restorePlaces(text: string): string {
  return restorePhrases(text, PLACE_NAMES);
}

/**
 * Sentence case for a subject: a heading in capitals is lowered and its proper names restored;
 * text already in mixed case keeps the author's capitals and only gets an upper-case first letter.
 */
export function sentenceCase(raw: string): string {
  const text = modernToneMarks(normalizeVietnamese(raw));
  if (!text) return text;
  if (!isUpperLine(text)) return capitalize(text);
  const lowered = text.toLowerCase();
  return capitalize(restorePhrases(restorePlaces(lowered), PHRASES));
}

const BODY_HEADS = [
  'ủy ban nhân dân',
  'hội đồng nhân dân',
  'ủy ban mặt trận tổ quốc việt nam',
  'văn phòng',
  'thanh tra',
  'chi cục',
  'tổng cục',
  'cục',
  'sở',
  'bộ',
  'vụ',
  'ban',
  'phòng',
  'trung tâm',
  'viện',
  'trường',
  'công an',
  'bộ chỉ huy quân sự',
  'kho bạc nhà nước',
  'bảo hiểm xã hội',
  'đài phát thanh và truyền hình',
  'tỉnh ủy',
  'thành ủy',
  'huyện ủy',
  'liên đoàn lao động',
  'đoàn đại biểu quốc hội',
  'hội đồng',
].sort((a, b) => b.length - a.length);

/** Heads whose own words are all in lower case after the first ("Ủy ban nhân dân"). */
const CLOSED_HEADS = new Set([
  'ủy ban nhân dân',
  'hội đồng nhân dân',
  'hội đồng',
  'kho bạc nhà nước',
  'bảo hiểm xã hội',
  'công an',
  'thanh tra',
  'tỉnh ủy',
  'thành ủy',
  'huyện ủy',
  'bộ chỉ huy quân sự',
  'liên đoàn lao động',
  'ủy ban mặt trận tổ quốc việt nam',
  'đoàn đại biểu quốc hội',
]);

const ABBREVIATIONS: Array<[RegExp, string]> = [
  [/\bubnd\b/giu, 'ủy ban nhân dân'],
  [/\bhđnd\b/giu, 'hội đồng nhân dân'],
  [/\btp\.\s*/giu, 'thành phố '],
];

/** Words of each phrase of the fixed lists (heads, levels, titles), split once. */
const phraseWords = new Map<string, string[]>();

function startsWithWords(words: string[], at: number, phrase: string): boolean {
  let parts = phraseWords.get(phrase);
  if (parts === undefined) phraseWords.set(phrase, (parts = phrase.split(' ')));
  // Exact (not folded) comparison: folding conflates "quản" and "quận".
  return parts.every((p, k) => words[at + k] === p);
}

function matchHead(words: string[], at: number): string | undefined {
  return BODY_HEADS.find((h) => startsWithWords(words, at, h));
}

/**
 * Party committees (Decree 30's counterpart for the Party): the head and the place it governs
 * ("TỈNH ỦY LÀO CAI" → "Tỉnh ủy Lào Cai"). Matched without tone marks, since OCR misreads them
 * ("TÍNH ỦY"): no other pair of words folds to "tinh uy", "thanh uy" or "huyen uy".
 */
const PARTY_HEADS: Record<string, string[]> = { 'tinh uy': ['tỉnh', 'ủy'], 'thanh uy': ['thành', 'ủy'], 'huyen uy': ['huyện', 'ủy'] };

function partyHead(words: string[], at: number): string[] | undefined {
  if (words.length < at + 2) return undefined;
  return PARTY_HEADS[foldSameLength(`${words[at]} ${words[at + 1]}`)];
}

function matchAdminLevel(words: string[], at: number): string | undefined {
  // "xã hội" is a field ("Lao động - Thương binh và Xã hội"), not the commune level.
  if (words[at] === 'xã' && words[at + 1] === 'hội') return undefined;
  return ADMIN_LEVELS.find((h) => startsWithWords(words, at, h));
}

/** Capitals of a field phrase: the first word of each part split by "và", "," and "-". */
function fieldCase(words: string[]): string[] {
  let startOfPart = true;
  return words.map((w) => {
    const isJoiner = w === 'và' || w === '-' || w === '–';
    const out = startOfPart && !isJoiner ? capitalize(w) : w;
    startOfPart = isJoiner || w.endsWith(',');
    return out;
  });
}

/**
 * Name of a body: "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH BÌNH THUẬN" → "Sở Thông tin và Truyền thông
 * tỉnh Bình Thuận"; "UBND HUYỆN CHÂU THÀNH" → "Ủy ban nhân dân huyện Châu Thành".
 */
export function organizationCase(raw: string): string {
  let text = modernToneMarks(normalizeVietnamese(raw)).toLowerCase();
  for (const [re, full] of ABBREVIATIONS) text = text.replace(re, full);
  const words = text.split(' ').filter(Boolean);
  const out: string[] = [];
  let i = 0;
  const party = out.length === 0 ? partyHead(words, 0) : undefined;
  if (party) return keepAcronyms(raw, [capitalize(party[0]), party[1], ...words.slice(2).map((w) => capitalize(w))].join(' '));
  while (i < words.length) {
    const level = matchAdminLevel(words, i);
    if (level) {
      const n = level.split(' ').length;
      out.push(...words.slice(i, i + n), ...words.slice(i + n).map((w) => capitalize(w)));
      break;
    }
    const head = matchHead(words, i);
    if (head) {
      const n = head.split(' ').length;
      out.push(capitalize(words[i]), ...words.slice(i + 1, i + n));
      i += n;
      // A closed head, or one directly followed by another body ("Văn phòng Ủy ban nhân dân").
      if (CLOSED_HEADS.has(head) || matchHead(words, i)) continue;
      // The field phrase ("Thông tin và Truyền thông") runs to the administrative level.
      // It also ends where a joiner introduces another body ("Bộ Tài chính - Bộ Nội vụ").
      let j = i;
      while (j < words.length && !matchAdminLevel(words, j) && !(j > i && /^(-|–|và)$/.test(words[j]) && matchHead(words, j + 1))) j++;
      out.push(...fieldCase(words.slice(i, j)));
      i = j;
      continue;
    }
    out.push(out.length === 0 ? capitalize(words[i]) : words[i]);
    i++;
  }
  return keepAcronyms(raw, restorePhrases(out.join(' '), ORGANIZATION_PHRASES));
}

/** Capitals without a vowel are an acronym ("BCH", "CCHC", "TNCS"): printed so, kept so. */
function keepAcronyms(raw: string, cased: string): string {
  const acronyms = new Map<string, string>();
  for (const w of normalizeVietnamese(raw).split(/[\s,.;:()]+/)) {
    if (/^\p{Lu}{2,}$/u.test(w) && !/[aeiouy]/.test(foldSameLength(w)) && !/^(UBND|HĐND|TP)$/u.test(w)) acronyms.set(w.toLowerCase(), w);
  }
  if (acronyms.size === 0) return cased;
  return cased.replace(/\p{L}+/gu, (w) => acronyms.get(w.toLowerCase()) ?? w);
}

/** Whether a name begins with a body's type word ("SỞ …", "UBND …"): a new body, not a continuation. */
export function startsWithBodyHead(raw: string): boolean {
  let text = modernToneMarks(normalizeVietnamese(raw)).toLowerCase();
  for (const [re, full] of ABBREVIATIONS) text = text.replace(re, full);
  return matchHead(text.split(' '), 0) !== undefined;
}

const TITLE_PREFIXES = new Set(['phó', 'chánh']);

/** Title nouns, longest first; only their first word takes a capital ("Trưởng phòng", "Văn phòng"). */
const TITLE_NOUNS = [
  'tổng cục trưởng',
  'chi cục trưởng',
  'kế toán trưởng',
  'tổng giám đốc',
  'chủ tịch',
  'giám đốc',
  'trưởng phòng',
  'trưởng ban',
  'văn phòng',
  'bộ trưởng',
  'thứ trưởng',
  'cục trưởng',
  'vụ trưởng',
  'hiệu trưởng',
  'viện trưởng',
  'thủ tướng',
  'chủ nhiệm',
  'thanh tra',
  'bí thư',
  'trưởng đoàn',
  'chánh án',
  'chỉ huy trưởng',
  'người đứng đầu',
].sort((a, b) => b.length - a.length);

/**
 * A signer's title: "PHÓ CHỦ TỊCH" → "Phó Chủ tịch", "CHÁNH VĂN PHÒNG" → "Chánh Văn phòng",
 * "GIÁM ĐỐC SỞ TÀI CHÍNH" → "Giám đốc Sở Tài chính".
 */
export function titleCase(raw: string): string {
  const text = modernToneMarks(normalizeVietnamese(raw)).toLowerCase();
  const words = text.split(' ').filter(Boolean);
  const out: string[] = [];
  let i = 0;
  while (i < words.length && TITLE_PREFIXES.has(words[i])) out.push(capitalize(words[i++]));
  const noun = TITLE_NOUNS.find((t) => startsWithWords(words, i, t));
  const n = noun ? noun.split(' ').length : 1;
  if (i < words.length) out.push(capitalize(words[i]), ...words.slice(i + 1, i + n));
  i += n;
  // What follows names a body ("Sở Tài chính") or stays in lower case.
  while (i < words.length && !matchHead(words, i)) out.push(words[i++]);
  if (i < words.length) out.push(organizationCase(words.slice(i).join(' ')));
  return out.join(' ');
}

/** "NGUYỄN THỊ THANH HÀ" or "nguyễn thị thanh hà" → "Nguyễn Thị Thanh Hà". */
export function personNameCase(raw: string): string {
  return titleCaseWords(modernToneMarks(normalizeVietnamese(raw)));
}

/** "BẾN TRE" → "Bến Tre"; mixed-case place names are kept. */
export function placeCase(raw: string): string {
  const text = modernToneMarks(normalizeVietnamese(raw));
  return isUpperLine(text) || text === text.toLowerCase() ? titleCaseWords(text) : text;
}
