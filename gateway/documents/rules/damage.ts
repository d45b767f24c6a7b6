/**
 * Signs that a piece of extracted text is damaged (docs/extraction.md, "Damaged text"): a trích
 * yếu that a text layer or an OCR read mangled must not be booked unseen, however well anchored
 * the block it came from. Two kinds of damage are common in the mail of agencies:
 *   - glyph loss: a PDF font subset without a Unicode map for some glyphs drops them from the text
 *     layer, leaving words no Vietnamese syllable is written as ("iệp hội" for "Hiệp hội");
 *   - OCR and stamp noise: a received-stamp ("CV ĐẾN") or a seal over the title, read by tesseract,
 *     leaves symbols ("&", "§"), letters Vietnamese does not write ("ÃIj"), case changes inside a
 *     word, letters without a vowel.
 * Codes, numbers, acronyms (words in capitals without a tone mark, "UBND", "HĐND") and unmarked
 * words (loanwords: "online", "Internet") are not judged; a capitalised word that is no syllable is
 * only half a sign (a place name of the Central Highlands: "Krông", "Đạ Tẻh"), and the provinces
 * and cities of the gazetteer are known.
 */
import { CITIES, PROVINCES } from '../gazetteer.ts';
import { isVietnameseSyllable } from './syllable.ts';

export type DamageSign = 'not-a-syllable' | 'foreign-letter' | 'mixed-case' | 'no-vowel' | 'symbol';

export interface Damage {
  damaged: boolean;
  /** Sum of the signs' weights: 1 a strong sign, 0.5 a weak one. Damaged from DAMAGED_AT. */
  score: number;
  signs: Array<{ sign: DamageSign; token: string; weight: number }>;
}

/** The words of the reason a damaged trích yếu gives (extract.ts); confidence.ts halves the subject's confidence on them. */
export const DAMAGED_SUBJECT_REASON = 'the subject shows signs of damage';

/** One strong sign, or two weak ones. */
export const DAMAGED_AT = 1;

/** A Vietnamese letter beyond ASCII (NFC, either case): a tone or a vowel mark, or đ. */
const MARKED = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/iu;
/** Marked only by Đ: "HĐND", "BCĐ" are acronyms. */
const MARKED_BUT_D = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/iu;
/** Characters no Vietnamese title holds: seal, stamp and scanner noise. "&" only standing alone. */
const NOISE = /[|#@*~^_=<>{}\\§©®¦¬•¤±µ¶¿¡¢£¥¨¯¹¼½¾×÷ØøÄäÖöÜüßÇçÑñŸÿ]/u;
const UNITS = new Set(['km', 'kg', 'cm', 'mm', 'ml', 'kw', 'kwh', 'mw', 'kv', 'gb', 'mb', 'tb', 'ha', 'm', 'g', 'l']);
const KNOWN = new Set([...PROVINCES, ...CITIES].flatMap((p) => p.toLowerCase().split(/\s+/)));

function judgeWord(w: string, add: (sign: DamageSign, weight: number) => void): void {
  if ([...w].length < 2) return;
  const marked = MARKED.test(w);
  // Brands and loanwords mix cases unmarked ("VNeID", "GitHub"); a marked word never does.
  if (marked && (/\p{Ll}\p{Lu}/u.test(w) || /\p{Lu}{2}\p{Ll}/u.test(w))) return add('mixed-case', 1);
  if (marked && /[fjwz]/iu.test(w)) return add('foreign-letter', 1);
  const caps = w === w.toUpperCase();
  const titled = !caps && /^\p{Lu}/u.test(w);
  if (!marked) {
    if (caps || /[aeiouy]/iu.test(w) || UNITS.has(w.toLowerCase())) return;
    return add('no-vowel', titled ? 0.5 : 1);
  }
  if (caps && !MARKED_BUT_D.test(w)) return;
  if (KNOWN.has(w.toLowerCase()) || isVietnameseSyllable(w)) return;
  add('not-a-syllable', titled ? 0.5 : 1);
}

type TokenSigns = Array<[sign: DamageSign, weight: number]>;
const NONE: TokenSigns = [];

/** The signs of one whitespace-separated token. */
function judgeToken(token: string): TokenSigns {
  // Web and mail addresses are not words.
  if (/^(https?:|www\.)/iu.test(token) || /^[\w.+-]+@[\w-]+(\.[\w-]+)+[.,;:)]*$/u.test(token)) return NONE;
  // A stray symbol between words is weak (a typist's "&"); glued to letters it is noise.
  if (NOISE.test(token) || /^[&+]+$/u.test(token)) return [['symbol', /[\p{L}\p{N}]/u.test(token) ? 1 : 0.5]];
  // Nor are codes with a slash ("/TTr-SNV", "AI/IoT").
  if (token.includes('/')) return NONE;
  const core = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  // Numbers and codes ("2025-2030", "COVID-19") are not words.
  if (!core || /\p{N}/u.test(core)) return NONE;
  const out: TokenSigns = [];
  for (const part of core.split(/[^\p{L}]+/u)) judgeWord(part, (sign, weight) => out.push([sign, weight]));
  return out.length ? out : NONE;
}

/** Titles repeat their words: each token is judged once (bounded, cleared when full). */
const judged = new Map<string, TokenSigns>();
const JUDGED_MAX = 20_000;

/** The signs of damage in a text (a trích yếu, a name). */
export function textDamage(text: string | null): Damage {
  const signs: Damage['signs'] = [];
  // "ƣ" for "ư" and "Ð" for "Đ" are read as the letters they stand for (docs/extraction.md).
  const clean = (text ?? '')
    .normalize('NFC')
    .replace(/\u01a3/gu, 'ư')
    .replace(/\u01a2/gu, 'Ư')
    .replace(/\u00d0/gu, 'Đ');
  for (const token of clean.split(/\s+/)) {
    if (!token) continue;
    let found = judged.get(token);
    if (found === undefined) {
      if (judged.size >= JUDGED_MAX) judged.clear();
      found = judgeToken(token);
      judged.set(token, found);
    }
    for (const [sign, weight] of found) signs.push({ sign, token, weight });
  }
  const score = signs.reduce((s, x) => s + x.weight, 0);
  return { damaged: score >= DAMAGED_AT, score, signs };
}

/** The signs as a clerk reads them in a reason: "iệp (not-a-syllable), & (symbol)". */
export function describeDamage(d: Damage): string {
  return d.signs.map((s) => `${s.token} (${s.sign})`).join(', ');
}
