/**
 * Text helpers shared by the extraction rules and (later) the registry's search.
 * Matching is done on a "folded" copy of each line: lower case, no diacritics, đ→d, with the
 * same length as the original, so a regex match on the folded copy slices the original text.
 */

const COMBINING = /\p{M}/gu;

/** NFC, every run of white space (incl. NBSP and zero-width) as one space, trimmed. */
export function normalizeVietnamese(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .replace(/[\s\u00A0]+/g, ' ')
    .trim();
}

/** Lower case, diacritics removed, đ→d: the key for matching and searching Vietnamese text. */
export function foldDiacritics(text: string): string {
  const n = text.length;
  const out = plainScratch.units(n);
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x2070 || (code >= 0x300 && code < 0x1e00) || (code >= 0x1f00 && code < 0x2000)) return foldNormalized(text);
    let f = PLAIN_FOLD[code];
    if (f === 0) {
      const one = foldNormalized(text[i]);
      PLAIN_FOLD[code] = f = one.length === 1 ? one.charCodeAt(0) : 0xffff;
    }
    if (f === 0xffff) return foldNormalized(text);
    out[i] = f;
  }
  return UTF16.decode(new Uint8Array(out.buffer, 0, 2 * n));
}

/** foldDiacritics by the normalization forms: NFD, marks removed, đ→d, lower case, NFC. */
function foldNormalized(text: string): string {
  // "Ð" (U+00D0, Latin eth) is often typed for "Đ" (U+0110).
  return text
    .normalize('NFD')
    .replace(COMBINING, '')
    .replace(/[đĐðÐ]/g, 'd')
    .toLowerCase()
    .normalize('NFC');
}

/**
 * foldDiacritics unit by unit for text made only of units below U+0300 (Latin, Latin-1, Latin
 * Extended-A/B, spacing modifiers), of Latin Extended Additional (U+1E00–U+1EFF: the precomposed
 * Vietnamese letters) and of General Punctuation (U+2000–U+206F). None of them is a combining mark
 * or joins its neighbour in NFD or NFC, so the fold of such a text is the fold of each unit in
 * turn (text.test.ts checks every unit and pairs of them); the normalization forms run only on
 * other text, or when a unit folds to other than one unit (0xFFFF here). 0: not yet computed.
 */
const PLAIN_FOLD = new Uint16Array(0x2070);
/**
 * An output buffer of UTF-16 units kept between calls, grown to at most 64 Ki units: a longer text
 * gets one of its own, so a module that once folded a whole long text does not keep its size.
 */
export class Scratch {
  private kept = new Uint16Array(512);
  units(n: number): Uint16Array {
    if (n > SCRATCH_MAX) return new Uint16Array(n);
    if (this.kept.length < n) this.kept = new Uint16Array(Math.max(n, Math.min(2 * this.kept.length, SCRATCH_MAX)));
    return this.kept;
  }
}
const SCRATCH_MAX = 65_536;
/** foldDiacritics' output buffer (not foldSameLength's: that one calls foldDiacritics while it fills its own). */
const plainScratch = new Scratch();

const foldCache = new Map<string, string>();

function foldChar(c: string): string {
  let f = foldCache.get(c);
  if (f === undefined) {
    const folded = foldDiacritics(c);
    // Keep the one-to-one length so indices stay valid (e.g. "İ" lower-cases to two units).
    f = folded.length === 1 ? folded : c.length === 1 ? c.toLowerCase().slice(0, 1) || c : c;
    if (f.length !== 1) f = c;
    foldCache.set(c, f);
  }
  return f;
}

/**
 * The folded unit of each code unit below U+2100 (Latin letters with their Vietnamese marks, the
 * combining marks, general punctuation), filled on first use: 0 until then (no unit folds to 0).
 */
const FOLD_TABLE = new Uint16Array(0x2100);
/** foldSameLength's output buffer; decoded natively into the string. */
const foldScratch = new Scratch();
const UTF16 = new TextDecoder('utf-16le', { ignoreBOM: true });

/** Like foldDiacritics but length-preserving (one UTF-16 unit in, one out). */
export function foldSameLength(text: string): string {
  const n = text.length;
  const out = foldScratch.units(n);
  let surrogate = false;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) out[i] = code >= 65 && code <= 90 ? code + 32 : code;
    else if (code < 0x2100) {
      let f = FOLD_TABLE[code];
      if (f === 0) FOLD_TABLE[code] = f = foldChar(text[i]).charCodeAt(0);
      out[i] = f;
    } else {
      if (code >= 0xd800 && code <= 0xdfff) surrogate = true;
      out[i] = foldChar(text[i]).charCodeAt(0);
    }
  }
  // The decoder would replace a lone surrogate (U+FFFD): such text is assembled unit by unit.
  if (!surrogate) return UTF16.decode(new Uint8Array(out.buffer, 0, 2 * n));
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(out[i]);
  return s;
}

/**
 * The words of a folded line: its runs of a–z joined by one space, anything else a separator —
 * what `.replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim()` gives, in one pass without regular
 * expressions (the heading and national-title checks run it on most lines of every document).
 */
export function letterWords(folded: string): string {
  let out = '';
  let start = -1;
  const n = folded.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? folded.charCodeAt(i) : 0;
    if (c >= 97 && c <= 122) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out = out ? `${out} ${folded.slice(start, i)}` : folded.slice(start, i);
      start = -1;
    }
  }
  return out;
}

/**
 * Old-style tone placement ("hoà", "uỷ", "khoẻ") to the style used by Decree 30 templates
 * ("hòa", "ủy", "khỏe"), so the same word always comes out the same. Only open syllables
 * (no final consonant) move the mark, and "qu" + y keeps it ("quý").
 */
/** An "oa"/"oe"/"uy" with its tone on the second letter (NFC): only then is there a mark to move. */
const OLD_TONE = /[oO][àáãảạÀÁÃẢẠèéẽẻẹÈÉẼẺẸ]|[uU][ỳýỹỷỵỲÝỸỶỴ]/;

export function modernToneMarks(text: string): string {
  const nfc = text.normalize('NFC');
  if (!OLD_TONE.test(nfc)) return nfc;
  const nfd = nfc.normalize('NFD');
  const moved = nfd.replace(
    /(^|[^\p{L}]|[^qQ\p{M}])([oO])([aAeE])([\u0300\u0301\u0303\u0309\u0323])(?![\p{L}\p{M}])|(^|[^qQ\p{M}])([uU])([yY])([\u0300\u0301\u0303\u0309\u0323])(?![\p{L}\p{M}])/gu,
    (m, p1, o, a, tone, p2, u, y, tone2) => (o ? `${p1}${o}${tone}${a}` : `${p2}${u}${tone2}${y}`),
  );
  return moved.normalize('NFC');
}

/** What a character is to upperRatio: a letter in upper case, another letter, or no letter. */
const NOT_LETTER = 1;
const UPPER = 2;
const LOWER = 3;

function caseOf(ch: string): number {
  if (ch.toLowerCase() === ch.toUpperCase()) return NOT_LETTER;
  return ch === ch.toUpperCase() ? UPPER : LOWER;
}

/** caseOf of each BMP code unit that is not a surrogate, filled on first use (0 until then). */
const CASE_TABLE = new Uint8Array(0x10000);

/** Upper-case share of the letters of a line (0..1); 0 when it has no letters. */
export function upperRatio(line: string): number {
  let letters = 0;
  let upper = 0;
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const code = line.charCodeAt(i);
    let k: number;
    if (code < 0xd800 || code > 0xdfff) {
      k = CASE_TABLE[code];
      if (k === 0) CASE_TABLE[code] = k = caseOf(line[i]);
    } else {
      // A character outside the BMP (a surrogate pair) is one character, as `for…of` reads it.
      const pair = code <= 0xdbff && i + 1 < n && (line.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      k = caseOf(pair ? line.slice(i, i + 2) : line[i]);
      if (pair) i++;
    }
    if (k !== NOT_LETTER) {
      letters++;
      if (k === UPPER) upper++;
    }
  }
  return letters === 0 ? 0 : upper / letters;
}

export function isUpperLine(line: string): boolean {
  return upperRatio(line) > 0.85 && /\p{L}{2}/u.test(line);
}

/** Trims surrounding punctuation and spaces, as the contract asks of every text field. */
export function trimPunctuation(text: string): string {
  return text
    .replace(/^[\s\-–—+•*.,;:]+/u, '')
    .replace(/[\s\-–—.,;:]+$/u, '')
    .trim();
}
