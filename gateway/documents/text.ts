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
  // "Ð" (U+00D0, Latin eth) is often typed for "Đ" (U+0110).
  return text
    .normalize('NFD')
    .replace(COMBINING, '')
    .replace(/[đĐðÐ]/g, 'd')
    .toLowerCase()
    .normalize('NFC');
}

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
/** Output buffer reused across calls (grown as needed); decoded natively into the string. */
let foldBuffer = new Uint16Array(512);
const UTF16 = new TextDecoder('utf-16le', { ignoreBOM: true });

/** Like foldDiacritics but length-preserving (one UTF-16 unit in, one out). */
export function foldSameLength(text: string): string {
  const n = text.length;
  if (foldBuffer.length < n) foldBuffer = new Uint16Array(Math.max(n, 2 * foldBuffer.length));
  const out = foldBuffer;
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

/** Upper-case share of the letters of a line (0..1); 0 when it has no letters. */
export function upperRatio(line: string): number {
  let letters = 0;
  let upper = 0;
  for (const ch of line) {
    if (ch.toLowerCase() !== ch.toUpperCase()) {
      letters++;
      if (ch === ch.toUpperCase()) upper++;
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
