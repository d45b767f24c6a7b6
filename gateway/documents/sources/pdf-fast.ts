/**
 * Fast text layer for the PDFs that document systems and word processors produce: fonts with a
 * ToUnicode map (or single-byte fonts without one), text in page content and form XObjects.
 * Returns null whenever a file steps outside that (encryption, Type3 fonts, inline images, other
 * filters, a damaged xref): pdfjs then reads it. Both paths feed the same line builder.
 */
import { DEFAULT_LIMITS_CONFIG, LimitExceeded } from '../../limits.ts';
import type { Run } from '../layout/types.ts';
import { Lexer, PdfFile, PdfName, PdfRef, PdfStream, Unsupported, type InflateLimits, type PdfDict, type PdfObj } from './pdf-objects.ts';
import { drawAnnotations } from './pdf-annots.ts';
import { faceOf, type FontFace } from './pdf-face.ts';

/** A run of text placed on the page: what pdfjs's getTextContent items and this reader both give. */
export type TextItem = Run;

interface Font {
  bytes: 1 | 2;
  toUnicode: Map<number, string> | null;
  widths: Map<number, number>;
  defaultWidth: number;
  face: FontFace;
}

type Matrix = [number, number, number, number, number, number];
const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

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

function decodeChar(font: Font, code: number): string {
  const u = font.toUnicode?.get(code);
  if (u !== undefined) return u;
  if (font.toUnicode && font.bytes === 2) return '';
  return code >= 0x80 && code < 0xa0 ? WIN_ANSI_HIGH[code - 0x80] : String.fromCharCode(code);
}

interface TextState {
  font: Font | null;
  fontName: string;
  size: number;
  tc: number;
  tw: number;
  th: number;
  tl: number;
  rise: number;
}

export class OverBudget extends Error {}

export class PageBudget {
  ops = 0;
  constructor(
    readonly maxOps: number,
    readonly deadline: number,
  ) {}
  tick(): void {
    if (++this.ops % 4096 === 0 && Date.now() > this.deadline) throw new OverBudget('time budget');
    if (this.ops > this.maxOps) throw new Unsupported('too many operators');
  }
}

/**
 * Fonts of one file by object number: every page and annotation that uses a font shares its
 * parsed ToUnicode map and widths (a font object is the same wherever it is used).
 */
const fileFonts = new WeakMap<PdfFile, Map<number, Font>>();

function fontOf(pdf: PdfFile, ref: PdfObj | undefined): Font {
  if (!(ref instanceof PdfRef)) return loadFont(pdf, ref);
  let fonts = fileFonts.get(pdf);
  if (!fonts) fileFonts.set(pdf, (fonts = new Map()));
  let font = fonts.get(ref.num);
  if (!font) fonts.set(ref.num, (font = loadFont(pdf, ref)));
  return font;
}

function runContent(pdf: PdfFile, data: Uint8Array, resources: PdfDict | null, ctm0: Matrix, out: TextItem[], budget: PageBudget, depth: number): void {
  const fontsDict = pdf.dict(resources?.get('Font'));
  const xobjects = pdf.dict(resources?.get('XObject'));
  const fonts = new Map<string, Font>();
  const lx = new Lexer(data);
  const ops: PdfObj[] = [];
  const stack: Array<{ ctm: Matrix; ts: TextState }> = [];
  let ctm = ctm0;
  let ts: TextState = { font: null, fontName: '', size: 0, tc: 0, tw: 0, th: 1, tl: 0, rise: 0 };
  let tm: Matrix = [1, 0, 0, 1, 0, 0];
  let tlm: Matrix = [1, 0, 0, 1, 0, 0];
  // Operands come from the file: an operator may be missing its string or get another type.
  const show = (s: PdfObj | undefined) => {
    const font = ts.font;
    if (!font || !(s instanceof Uint8Array)) return;
    let text = '';
    let advance = 0;
    const { bytes, widths, defaultWidth } = font;
    for (let i = 0; i + bytes <= s.length; i += bytes) {
      const code = bytes === 2 ? (s[i] << 8) | s[i + 1] : s[i];
      text += decodeChar(font, code);
      const w = (widths.get(code) ?? defaultWidth) / 1000;
      advance += (w * ts.size + ts.tc + (bytes === 1 && code === 32 ? ts.tw : 0)) * ts.th;
    }
    if (text) {
      // The text rendering matrix [size·th 0 0 size 0 rise] × tm × ctm, written out (no arrays).
      const a = tm[0] * ctm[0] + tm[1] * ctm[2];
      const b = tm[0] * ctm[1] + tm[1] * ctm[3];
      const c = tm[2] * ctm[0] + tm[3] * ctm[2];
      const d = tm[2] * ctm[1] + tm[3] * ctm[3];
      const e = tm[4] * ctm[0] + tm[5] * ctm[2] + ctm[4];
      const f = tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5];
      const sx = ts.size * ts.th;
      const face = font.face;
      out.push({
        str: text,
        x: ts.rise * c + e,
        y: ts.rise * d + f,
        width: advance * Math.hypot(a, b),
        size: Math.hypot(sx * a, sx * b),
        font: ts.fontName,
        face: face.face,
        bold: face.bold,
        italic: face.italic,
      });
    }
    // tm = [1 0 0 1 advance 0] × tm
    tm = [tm[0], tm[1], tm[2], tm[3], advance * tm[0] + tm[4], advance * tm[1] + tm[5]];
  };
  // Defined once, not per operator: a closure made in the loop costs more than the operator.
  const n = (k: number) => Number(ops[ops.length - k]);
  for (;;) {
    const t = lx.next();
    if (t === undefined) break;
    if (typeof t !== 'string') {
      ops.push(t);
      continue;
    }
    budget.tick();
    switch (t) {
      case 'q':
        stack.push({ ctm, ts: { ...ts } });
        break;
      case 'Q': {
        const s = stack.pop();
        if (s) {
          ctm = s.ctm;
          ts = s.ts;
        }
        break;
      }
      case 'cm':
        ctm = mul([n(6), n(5), n(4), n(3), n(2), n(1)], ctm);
        break;
      case 'BT':
        tm = tlm = [1, 0, 0, 1, 0, 0];
        break;
      case 'Tf': {
        const name = (ops[ops.length - 2] as PdfName)?.n ?? '';
        // Identity is the font object, not its resource name (producers add one name per use).
        const ref = fontsDict?.get(name);
        const key = ref instanceof PdfRef ? `ref:${ref.num}` : `${depth}:${name}`;
        if (!fonts.has(key)) fonts.set(key, fontOf(pdf, ref));
        ts.font = fonts.get(key)!;
        ts.fontName = key;
        ts.size = n(1);
        break;
      }
      case 'Tc':
        ts.tc = n(1);
        break;
      case 'Tw':
        ts.tw = n(1);
        break;
      case 'Tz':
        ts.th = n(1) / 100;
        break;
      case 'TL':
        ts.tl = n(1);
        break;
      case 'Ts':
        ts.rise = n(1);
        break;
      case 'Td':
        tm = tlm = mul([1, 0, 0, 1, n(2), n(1)], tlm);
        break;
      case 'TD':
        ts.tl = -n(1);
        tm = tlm = mul([1, 0, 0, 1, n(2), n(1)], tlm);
        break;
      case 'Tm':
        tm = tlm = [n(6), n(5), n(4), n(3), n(2), n(1)];
        break;
      case 'T*':
        tm = tlm = mul([1, 0, 0, 1, 0, -ts.tl], tlm);
        break;
      case 'Tj':
        show(ops[ops.length - 1]);
        break;
      case "'":
        tm = tlm = mul([1, 0, 0, 1, 0, -ts.tl], tlm);
        show(ops[ops.length - 1]);
        break;
      case '"':
        ts.tw = n(3);
        ts.tc = n(2);
        tm = tlm = mul([1, 0, 0, 1, 0, -ts.tl], tlm);
        show(ops[ops.length - 1]);
        break;
      case 'TJ':
        for (const el of Array.isArray(ops[ops.length - 1]) ? (ops[ops.length - 1] as PdfObj[]) : []) {
          if (el instanceof Uint8Array) show(el);
          else if (typeof el === 'number') tm = mul([1, 0, 0, 1, (-el / 1000) * ts.size * ts.th, 0], tm);
        }
        break;
      case 'Do': {
        const x = pdf.resolve(xobjects?.get((ops[ops.length - 1] as PdfName)?.n ?? ''));
        if (x instanceof PdfStream && (x.dict.get('Subtype') as PdfName | undefined)?.n === 'Form') {
          if (depth >= 4) throw new Unsupported('nested forms');
          const m = pdf.resolve(x.dict.get('Matrix'));
          const fm = (Array.isArray(m) && m.length === 6 ? m.map(Number) : [1, 0, 0, 1, 0, 0]) as Matrix;
          runContent(pdf, pdf.decode(x), pdf.dict(x.dict.get('Resources')) ?? resources, mul(fm, ctm), out, budget, depth + 1);
        }
        break;
      }
      case 'BI':
        throw new Unsupported('inline image');
    }
    ops.length = 0;
  }
}

function pageList(pdf: PdfFile, maxPages: number): PdfDict[] {
  const root = pdf.dict(pdf.trailer.get('Root'));
  const pages: PdfDict[] = [];
  let visits = 0;
  // Depth and visit caps: a hostile page tree may loop or fan out exponentially.
  const walk = (node: PdfDict | null, inherited: PdfDict | null, box: PdfObj | undefined, depth: number) => {
    if (!node || depth > 32 || ++visits > Math.max(20_000, 2 * maxPages)) return;
    const resources = pdf.dict(node.get('Resources')) ?? inherited;
    const media = node.get('MediaBox') ?? box;
    const kids = pdf.resolve(node.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) walk(pdf.dict(k), resources, media, depth + 1);
    else if (pages.length >= maxPages) throw new LimitExceeded('pdf-pages', maxPages, pages.length + 1, `PDF has more than ${maxPages} pages`);
    else pages.push(new Map([...node, ['Resources', resources], ['MediaBox', media ?? null]]) as PdfDict);
  };
  walk(pdf.dict(root?.get('Pages')), null, undefined, 0);
  return pages;
}

export interface FastPdf {
  pages: number;
  /** The page's text runs, then the runs its annotations draw over it (stamped: true). */
  pageItems(index: number, budget: PageBudget): TextItem[];
  /** Only the runs annotations draw over the page (for pages pdfjs reads). */
  stampedItems(index: number, budget: PageBudget): TextItem[];
  /** Width and height of the page's media box (A4 when it cannot be read). */
  pageSize(index: number): { width: number; height: number };
}

export interface FastPdfLimits extends InflateLimits {
  /** Pages of the file; more throws LimitExceeded (pdf-pages). */
  maxPages: number;
}

/**
 * Opens a PDF for the fast path; throws Unsupported when pdfjs should read it instead, and
 * LimitExceeded (from here or from pageItems) when the file is over a limit — not worth pdfjs's try.
 */
export function openFastPdf(data: Uint8Array, limits: Partial<FastPdfLimits> = {}): FastPdf {
  const pdf = new PdfFile(data, limits);
  const pages = pageList(pdf, limits.maxPages ?? DEFAULT_LIMITS_CONFIG.pdfPages);
  if (pages.length === 0) throw new Unsupported('no pages');
  const stampedItems = (index: number, budget: PageBudget): TextItem[] => {
    const page = pages[index];
    const stamped: TextItem[] = [];
    try {
      drawAnnotations(
        pdf,
        page,
        (data, resources, ctm) => runContent(pdf, data, resources ?? (page.get('Resources') as PdfDict | null), ctm, stamped, budget, 1),
        (str, x, y, size) => stamped.push({ str, x, y, size, width: 0.5 * size * str.length }),
      );
    } catch (err) {
      // An annotation the fast reader cannot draw adds nothing; limits still stop the file.
      if (err instanceof LimitExceeded || err instanceof OverBudget) throw err;
      return [];
    }
    for (const it of stamped) it.stamped = true;
    return stamped;
  };
  return {
    pages: pages.length,
    pageItems(index, budget) {
      const page = pages[index];
      const contents = pdf.resolve(page.get('Contents'));
      const streams = (Array.isArray(contents) ? contents.map((c) => pdf.resolve(c)) : [contents]).filter((c): c is PdfStream => c instanceof PdfStream);
      const parts = streams.map((s) => pdf.decode(s));
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        joined[at + p.length] = 10;
        at += p.length + 1;
      }
      const items: TextItem[] = [];
      runContent(pdf, joined, page.get('Resources') as PdfDict | null, [1, 0, 0, 1, 0, 0], items, budget, 0);
      return [...items, ...stampedItems(index, budget)];
    },
    stampedItems,
    pageSize(index) {
      const box = pdf.resolve(pages[index]?.get('MediaBox'));
      const n = Array.isArray(box) && box.length === 4 ? box.map((v) => Number(pdf.resolve(v))) : [];
      const ok = n.length === 4 && n.every(Number.isFinite) && n[2] - n[0] > 0 && n[3] - n[1] > 0;
      return ok ? { width: n[2] - n[0], height: n[3] - n[1] } : { width: 595, height: 842 };
    },
  };
}
