/**
 * Fonts of the fast PDF reader: a simple or Type0 (Identity-H/V) font's ToUnicode map, code length
 * and widths, parsed once per font object and file. A font the fast path cannot decode (Type3, CID
 * encodings, glyph-name encodings without a map) throws Unsupported: pdfjs reads that file.
 */
import { Lexer, PdfName, PdfRef, PdfStream, Unsupported, type PdfFile, type PdfObj } from './pdf-objects.ts';
import { faceOf, type FontFace } from './pdf-face.ts';

export interface Font {
  bytes: 1 | 2;
  toUnicode: Map<number, string> | null;
  widths: Map<number, number>;
  defaultWidth: number;
  face: FontFace;
}

function utf16be(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
  return s;
}

function codeOf(bytes: Uint8Array): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** More codes than any font has: hostile maps and width arrays stop here. */
const MAX_CODES = 70_000;

/** bfchar / bfrange entries of a ToUnicode CMap; the code length from its codespace range. */
function parseCMap(data: Uint8Array): { map: Map<number, string>; bytes: 1 | 2 } {
  const lx = new Lexer(data);
  const map = new Map<number, string>();
  let bytes: 1 | 2 | 0 = 0;
  const stack: PdfObj[] = [];
  for (let guard = 0; guard < 200_000 && map.size <= MAX_CODES; guard++) {
    const t = lx.next();
    if (t === undefined) break;
    if (t === 'endcodespacerange') {
      const lo = stack[0];
      if (lo instanceof Uint8Array) bytes = lo.length === 1 ? 1 : 2;
    } else if (t === 'endbfchar') {
      for (let i = 0; i + 1 < stack.length; i += 2) {
        const src = stack[i],
          dst = stack[i + 1];
        if (src instanceof Uint8Array && dst instanceof Uint8Array) map.set(codeOf(src), utf16be(dst));
      }
    } else if (t === 'endbfrange') {
      for (let i = 0; i + 2 < stack.length; i += 3) {
        const lo = stack[i],
          hi = stack[i + 1],
          dst = stack[i + 2];
        if (!(lo instanceof Uint8Array) || !(hi instanceof Uint8Array)) continue;
        const a = codeOf(lo),
          b = Math.min(codeOf(hi), a + 65_535, a + MAX_CODES - map.size);
        if (Array.isArray(dst)) dst.forEach((d, k) => d instanceof Uint8Array && map.set(a + k, utf16be(d)));
        else if (dst instanceof Uint8Array) {
          const base = utf16be(dst);
          const last = base.charCodeAt(base.length - 1);
          for (let c = a; c <= b; c++) map.set(c, base.slice(0, -1) + String.fromCharCode(last + c - a));
        }
      }
    }
    if (typeof t === 'string' && /^(begin|end)(bfchar|bfrange|codespacerange)$/.test(t)) stack.length = 0;
    else stack.push(t);
  }
  return { map, bytes: bytes || 2 };
}

const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function loadFont(pdf: PdfFile, ref: PdfObj | undefined): Font {
  const fd = pdf.dict(ref);
  if (!fd) throw new Unsupported('missing font');
  const subtype = (pdf.resolve(fd.get('Subtype')) as PdfName | undefined)?.n;
  if (subtype === 'Type3') throw new Unsupported('Type3 font');
  const tu = pdf.resolve(fd.get('ToUnicode'));
  const cmap = tu instanceof PdfStream ? parseCMap(pdf.decode(tu)) : null;
  const widths = new Map<number, number>();
  if (subtype === 'Type0') {
    const enc = pdf.resolve(fd.get('Encoding'));
    if (!(enc instanceof PdfName) || !/^Identity-[HV]$/.test(enc.n)) throw new Unsupported('CID encoding');
    if (!cmap) throw new Unsupported('CID font without ToUnicode');
    const desc = pdf.dict((pdf.resolve(fd.get('DescendantFonts')) as PdfObj[] | undefined)?.[0]);
    const w = pdf.resolve(desc?.get('W'));
    if (Array.isArray(w)) {
      for (let i = 0; i < w.length && widths.size <= MAX_CODES; ) {
        const first = pdf.resolve(w[i]) as number;
        const next = pdf.resolve(w[i + 1]);
        if (Array.isArray(next)) {
          next.forEach((v, k) => widths.set(first + k, Number(pdf.resolve(v))));
          i += 2;
        } else {
          const last = next as number,
            v = Number(pdf.resolve(w[i + 2]));
          for (let c = first; c <= last && widths.size <= MAX_CODES; c++) widths.set(c, v);
          i += 3;
        }
      }
    }
    const dw = pdf.resolve(desc?.get('DW'));
    return { bytes: 2, toUnicode: cmap.map, widths, defaultWidth: typeof dw === 'number' ? dw : 1000, face: faceOf(pdf, fd, desc) };
  }
  const enc = pdf.resolve(fd.get('Encoding'));
  if (!cmap && enc instanceof Map && enc.has('Differences')) throw new Unsupported('glyph-name encoding');
  const first = Number(pdf.resolve(fd.get('FirstChar')) ?? 0);
  const w = pdf.resolve(fd.get('Widths'));
  if (Array.isArray(w)) w.forEach((v, k) => widths.set(first + k, Number(pdf.resolve(v))));
  // Without a ToUnicode map a simple font's bytes are read as Windows-1252 (as pdfjs does), so
  // TCVN3/VNI fonts come out as the mojibake legacy-encoding.ts converts.
  return { bytes: 1, toUnicode: cmap?.map ?? null, widths, defaultWidth: widths.size ? 0 : 500, face: faceOf(pdf, fd, null) };
}

export function decodeChar(font: Font, code: number): string {
  const u = font.toUnicode?.get(code);
  if (u !== undefined) return u;
  if (font.toUnicode && font.bytes === 2) return '';
  return code >= 0x80 && code < 0xa0 ? WIN_ANSI_HIGH[code - 0x80] : String.fromCharCode(code);
}

/**
 * Fonts of one file by object number: every page and annotation that uses a font shares its
 * parsed ToUnicode map and widths (a font object is the same wherever it is used).
 */
const fileFonts = new WeakMap<PdfFile, Map<number, Font>>();

export function fontOf(pdf: PdfFile, ref: PdfObj | undefined): Font {
  if (!(ref instanceof PdfRef)) return loadFont(pdf, ref);
  let fonts = fileFonts.get(pdf);
  if (!fonts) fileFonts.set(pdf, (fonts = new Map()));
  let font = fonts.get(ref.num);
  if (!font) fonts.set(ref.num, (font = loadFont(pdf, ref)));
  return font;
}
