/**
 * Vietnamese text in the legacy 8-bit encodings still in circulation in old files:
 * TCVN3 (TCVN 5712:1993 "VN3", the ABC fonts .VnTime/.VnTimeH) and VNI (VNI-Times).
 * Read as Windows-1252/Latin-1 they show as mojibake ("Céng hoµ x· héi", "Coäng hoøa xaõ hoäi").
 * Both are converted from the Latin-1 code points a decoder produced, so this works on text from
 * mail bodies, DOCX runs and PDF text layers alike.
 *
 * TCVN3 has no upper-case toned letters: headings set in .VnTimeH use the lower-case codes and
 * come out in lower case, which the (case-insensitive) rules accept.
 */

/** TCVN3 byte (as a Latin-1 code point) → Unicode. */
const TCVN3: Record<number, string> = {
  0xa1: 'Ă',
  0xa2: 'Â',
  0xa3: 'Ê',
  0xa4: 'Ô',
  0xa5: 'Ơ',
  0xa6: 'Ư',
  0xa7: 'Đ',
  0xa8: 'ă',
  0xa9: 'â',
  0xaa: 'ê',
  0xab: 'ô',
  0xac: 'ơ',
  0xad: 'ư',
  0xae: 'đ',
  0xb5: 'à',
  0xb6: 'ả',
  0xb7: 'ã',
  0xb8: 'á',
  0xb9: 'ạ',
  0xbb: 'ằ',
  0xbc: 'ẳ',
  0xbd: 'ẵ',
  0xbe: 'ắ',
  0xc6: 'ặ',
  0xc7: 'ầ',
  0xc8: 'ẩ',
  0xc9: 'ẫ',
  0xca: 'ấ',
  0xcb: 'ậ',
  0xcc: 'è',
  0xce: 'ẻ',
  0xcf: 'ẽ',
  0xd0: 'é',
  0xd1: 'ẹ',
  0xd2: 'ề',
  0xd3: 'ể',
  0xd4: 'ễ',
  0xd5: 'ế',
  0xd6: 'ệ',
  0xd7: 'ì',
  0xd8: 'ỉ',
  0xdc: 'ĩ',
  0xdd: 'í',
  0xde: 'ị',
  0xdf: 'ò',
  0xe1: 'ỏ',
  0xe2: 'õ',
  0xe3: 'ó',
  0xe4: 'ọ',
  0xe5: 'ồ',
  0xe6: 'ổ',
  0xe7: 'ỗ',
  0xe8: 'ố',
  0xe9: 'ộ',
  0xea: 'ờ',
  0xeb: 'ở',
  0xec: 'ỡ',
  0xed: 'ớ',
  0xee: 'ợ',
  0xef: 'ù',
  0xf1: 'ủ',
  0xf2: 'ũ',
  0xf3: 'ú',
  0xf4: 'ụ',
  0xf5: 'ừ',
  0xf6: 'ử',
  0xf7: 'ữ',
  0xf8: 'ứ',
  0xf9: 'ự',
  0xfa: 'ỳ',
  0xfb: 'ỷ',
  0xfc: 'ỹ',
  0xfd: 'ý',
  0xfe: 'ỵ',
};

/** VNI: a base vowel followed by a mark character. Keys are base + mark (lower case; upper handled below). */
const VNI_PAIRS: Record<string, string> = {
  aù: 'á',
  aø: 'à',
  aû: 'ả',
  aõ: 'ã',
  aï: 'ạ',
  aâ: 'â',
  aá: 'ấ',
  aà: 'ầ',
  aå: 'ẩ',
  aã: 'ẫ',
  aä: 'ậ',
  aê: 'ă',
  aé: 'ắ',
  aè: 'ằ',
  aú: 'ẳ',
  aü: 'ẵ',
  aë: 'ặ',
  eù: 'é',
  eø: 'è',
  eû: 'ẻ',
  eõ: 'ẽ',
  eï: 'ẹ',
  eâ: 'ê',
  eá: 'ế',
  eà: 'ề',
  eå: 'ể',
  eã: 'ễ',
  eä: 'ệ',
  où: 'ó',
  oø: 'ò',
  oû: 'ỏ',
  oõ: 'õ',
  oï: 'ọ',
  oâ: 'ô',
  oá: 'ố',
  oà: 'ồ',
  oå: 'ổ',
  oã: 'ỗ',
  oä: 'ộ',
  ôù: 'ớ',
  ôø: 'ờ',
  ôû: 'ở',
  ôõ: 'ỡ',
  ôï: 'ợ',
  uù: 'ú',
  uø: 'ù',
  uû: 'ủ',
  uõ: 'ũ',
  uï: 'ụ',
  öù: 'ứ',
  öø: 'ừ',
  öû: 'ử',
  öõ: 'ữ',
  öï: 'ự',
  yù: 'ý',
  yø: 'ỳ',
  yû: 'ỷ',
  yõ: 'ỹ',
  yï: 'ỵ',
};

/** VNI letters that are a single character. */
const VNI_SINGLE: Record<string, string> = {
  ô: 'ơ',
  ö: 'ư',
  ñ: 'đ',
  í: 'í',
  ì: 'ì',
  æ: 'ỉ',
  ó: 'ĩ',
  ò: 'ị',
  Ô: 'Ơ',
  Ö: 'Ư',
  Ñ: 'Đ',
  Í: 'Í',
  Ì: 'Ì',
  Æ: 'Ỉ',
  Ó: 'Ĩ',
  Ò: 'Ị',
};

const VNI_UPPER_PAIRS: Record<string, string> = Object.fromEntries(Object.entries(VNI_PAIRS).map(([k, v]) => [k.toUpperCase(), v.toUpperCase()]));

export type LegacyEncoding = 'tcvn3' | 'vni';

/** Characters that never occur inside words of Unicode Vietnamese or Western text but are TCVN3 letters. */
const TCVN3_MARKERS = /[¡¢£¤¥¦§¨©ª«¬®µ¶·¸¹»¼½¾]/;
const VNI_SEQUENCE = /[aeouyAEOUY][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ôöÔÖ][ùøûõïÙØÛÕÏ]|[A-Za-z][ñÑòóæ]|[ñÑ][a-zA-Z]/g;

/** Latin-1 code units: 1 a TCVN3 marker, 2 a letter a VNI sequence is made with (VNI_SEQUENCE). */
const LATIN1_CLASS = new Uint8Array(256);
for (const c of '¡¢£¤¥¦§¨©ª«¬®µ¶·¸¹»¼½¾') LATIN1_CLASS[c.charCodeAt(0)] |= 1;
for (const c of 'ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜËñÑòóæ') LATIN1_CLASS[c.charCodeAt(0)] |= 2;

/** What `\s` matches. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Decides whether text is TCVN3 or VNI mojibake. Needs several hits so one "®" or "ñ" is not enough. */
export function detectLegacyEncoding(text: string): LegacyEncoding | null {
  const sample = text.length > 20_000 ? text.slice(0, 20_000) : text;
  // One pass counts what bounds the hits: Unicode Vietnamese letters, words, TCVN3 markers (a TCVN3
  // word has one at least) and VNI letters (every VNI sequence holds one; matches do not overlap).
  // Unicode text has far more of the first than of the others: it is told so without the regexes.
  let unicodeHits = 0;
  let wordCount = 0;
  let markers = 0;
  let vniLetters = 0;
  let inWord = false;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (isSpace(c)) {
      inWord = false;
      continue;
    }
    if (!inWord) wordCount++;
    inWord = true;
    if (c < 256) {
      const k = LATIN1_CLASS[c];
      if (k & 1) markers++;
      if (k & 2) vniLetters++;
    } else if (
      (c >= 0x1ea0 && c <= 0x1ef9) ||
      c === 0x01a1 ||
      c === 0x01b0 ||
      c === 0x0103 ||
      c === 0x0111 ||
      c === 0x01a0 ||
      c === 0x01af ||
      c === 0x0102 ||
      c === 0x0110
    )
      unicodeHits++;
  }
  if (wordCount === 0) return null;
  const enough = (hits: number) => hits >= 3 && hits >= wordCount * 0.05 && hits > unicodeHits * 2;
  let tcvnWords = 0;
  if (enough(markers)) for (const w of sample.split(/\s+/)) if (TCVN3_MARKERS.test(w) && /[A-Za-z]/.test(w)) tcvnWords++;
  const vniHits = enough(vniLetters) ? (sample.match(VNI_SEQUENCE)?.length ?? 0) : 0;
  if (enough(tcvnWords) && tcvnWords * 2 >= vniHits) return 'tcvn3';
  if (enough(vniHits)) return 'vni';
  return null;
}

export function tcvn3ToUnicode(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = TCVN3[ch.charCodeAt(0)];
    out += mapped ?? ch;
  }
  return out;
}

export function vniToUnicode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const pair = text.slice(i, i + 2);
    const combined = VNI_PAIRS[pair] ?? VNI_UPPER_PAIRS[pair];
    if (combined) {
      out += combined;
      i++;
      continue;
    }
    out += VNI_SINGLE[text[i]] ?? text[i];
  }
  return out;
}

/** Converts legacy-encoded text to Unicode NFC; returns the input unchanged when it is not legacy. */
/**
 * TCVN3 has no upper-case toned letters, so "ỦY BAN NHÂN DÂN" converts to "ủY BAN NHâN DâN".
 * A line whose ASCII letters are all capitals was typed in capitals: upper-case it whole.
 */
function restoreTcvn3Capitals(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const ascii = line.match(/[A-Za-z]/g) ?? [];
      const upper = ascii.filter((c) => c >= 'A' && c <= 'Z').length;
      if (ascii.length >= 3 && upper / ascii.length >= 0.9) return line.toUpperCase();
      // A typed paragraph begins with a capital; "Ủy ban…" could only be typed as "ủy ban…".
      return /^[^\x00-\x7f]/.test(line) ? line.charAt(0).toUpperCase() + line.slice(1) : line;
    })
    .join('\n');
}

export function fixLegacyEncoding(text: string): { text: string; encoding: LegacyEncoding | null } {
  const encoding = detectLegacyEncoding(text);
  return encoding ? { text: convertLegacy(text, encoding), encoding } : { text, encoding: null };
}

/** Text known to be in a legacy encoding (detected on the whole document) to Unicode NFC. */
export function convertLegacy(text: string, encoding: LegacyEncoding): string {
  return (encoding === 'tcvn3' ? restoreTcvn3Capitals(tcvn3ToUnicode(text)) : vniToUnicode(text)).normalize('NFC');
}

/** Unicode → TCVN3 bytes (as Latin-1 code points); for producing test data from real strings. */
export function unicodeToTcvn3(text: string): string {
  const reverse = new Map(Object.entries(TCVN3).map(([code, ch]) => [ch, String.fromCharCode(Number(code))]));
  let out = '';
  for (const ch of text.normalize('NFC')) {
    // TCVN3 has no upper-case toned letters: the .VnTimeH fonts draw the lower-case codes as capitals.
    out += reverse.get(ch) ?? reverse.get(ch.toLowerCase()) ?? ch;
  }
  return out;
}

/** Unicode → VNI (as Latin-1 code points); for producing test data from real strings. */
export function unicodeToVni(text: string): string {
  const reverse = new Map<string, string>();
  for (const [k, v] of Object.entries(VNI_PAIRS)) reverse.set(v, k);
  for (const [k, v] of Object.entries(VNI_UPPER_PAIRS)) reverse.set(v, k);
  for (const [k, v] of Object.entries(VNI_SINGLE)) if (k !== v) reverse.set(v, k);
  let out = '';
  for (const ch of text.normalize('NFC')) out += reverse.get(ch) ?? ch;
  return out;
}
