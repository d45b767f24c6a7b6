/**
 * The content-stream interpreter of the fast PDF reader: text state, text and graphics matrices,
 * the text-showing operators and form XObjects, producing positioned runs (TextItem) as pdfjs's
 * getTextContent would. Inline images and deep form nesting throw Unsupported (pdfjs reads those).
 */
import type { TextItem, PageBudget } from './pdf-fast.ts';
import { decodeChar, fontOf, type Font } from './pdf-fonts.ts';
import { Lexer, PdfName, PdfRef, PdfStream, Unsupported, type PdfDict, type PdfFile, type PdfObj } from './pdf-objects.ts';

export type Matrix = [number, number, number, number, number, number];
const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

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

/**
 * The images a page's content draws, as the scan check needs them (docs/ocr.md, "In the pipeline"):
 * `area` bounds, in square user-space units, what the images drawn so far cover — each image's unit
 * square through the CTM, |a|+|c| wide and |b|+|d| high, never less than poppler's pdfimages counts for
 * it — and `unknown` is set by anything that may draw an image the reader does not follow (an XObject
 * it cannot find or run, a soft mask, a tiling pattern). Inline images already send a file to pdfjs.
 */
export interface ImageDraws {
  area: number;
  unknown: boolean;
}

/** Notes an XObject drawn that is not a form the reader runs: an image, or something it cannot tell. */
function drawXObject(pdf: PdfFile, x: PdfObj | undefined, ctm: Matrix, draws: ImageDraws): void {
  const subtype = x instanceof PdfStream ? pdf.resolve(x.dict.get('Subtype')) : undefined;
  if (subtype instanceof PdfName && subtype.n === 'Image') draws.area += (Math.abs(ctm[0]) + Math.abs(ctm[2])) * (Math.abs(ctm[1]) + Math.abs(ctm[3]));
  else draws.unknown = true;
}

/** A graphics state with a soft mask (a form that may draw images), or a tiling pattern (a content stream): not followed. */
function hides(pdf: PdfFile, resources: PdfDict | null, kind: 'ExtGState' | 'Pattern', name: PdfObj | undefined): boolean {
  if (!(name instanceof PdfName)) return false;
  const v = pdf.resolve(pdf.dict(resources?.get(kind))?.get(name.n));
  if (kind === 'Pattern') return v instanceof PdfStream || v === undefined;
  const smask = pdf.resolve(pdf.dict(v)?.get('SMask'));
  return smask !== undefined && !(smask instanceof PdfName && smask.n === 'None');
}

/**
 * Whether `text` may extend a run ending in `prev`: spaces drawn as glyphs keep their own runs
 * (a run of them is how some producers space the two columns apart, layout/rows.ts tells a word
 * gap from a column gap by them), so a run never grows past one.
 */
function joins(prev: string, text: string): boolean {
  const end = prev.charCodeAt(prev.length - 1);
  if (end === 32 || end === 160 || end === 9) return false;
  return text.trim().length > 0 && !text.startsWith('  ');
}

/**
 * Runs the operators of a content stream, appending the text it shows to `out`. With `join`, a run
 * drawn right after the previous one (same line, size and face, no gap a reader would see: under a
 * tenth of an em either way) extends it instead of adding an item: producers that place every glyph
 * on its own (Td before each letter) would otherwise give thousands of one-letter runs per page,
 * each costing the line builder. A word gap (a fifth of an em and more, layout/rows.ts) is never
 * closed this way. With `draws`, the images drawn are noted there (ImageDraws).
 */
export function runContent(
  pdf: PdfFile,
  data: Uint8Array,
  resources: PdfDict | null,
  ctm0: Matrix,
  out: TextItem[],
  budget: PageBudget,
  depth: number,
  join = true,
  draws?: ImageDraws,
): void {
  const fontsDict = pdf.dict(resources?.get('Font'));
  const xobjects = pdf.dict(resources?.get('XObject'));
  const fonts = new Map<string, Font>();
  const lx = new Lexer(data);
  // The operands of the operator being read: the first `nOps` (reset by a count, not by the array's length).
  const ops: PdfObj[] = [];
  let nOps = 0;
  const stack: Array<{ ctm: Matrix; ts: TextState }> = [];
  let ctm = ctm0;
  let ts: TextState = { font: null, fontName: '', size: 0, tc: 0, tw: 0, th: 1, tl: 0, rise: 0 };
  // The text matrix and the text line matrix, written in place (they change with every run shown).
  // The arithmetic is `mul`'s, term for term (its products by 0 and 1 included), so the positions are
  // the same to the bit, NaN and infinities from a damaged file too.
  const tm = Float64Array.of(1, 0, 0, 1, 0, 0);
  const tlm = Float64Array.of(1, 0, 0, 1, 0, 0);
  /** tm = tlm = [a b c d e f]. */
  const setLine = (a: number, b: number, c: number, d: number, e: number, f: number) => {
    tm[0] = tlm[0] = a;
    tm[1] = tlm[1] = b;
    tm[2] = tlm[2] = c;
    tm[3] = tlm[3] = d;
    tm[4] = tlm[4] = e;
    tm[5] = tlm[5] = f;
  };
  /** tm = tlm = [1 0 0 1 x y] × tlm. */
  const nextLine = (x: number, y: number) =>
    setLine(
      1 * tlm[0] + 0 * tlm[2],
      1 * tlm[1] + 0 * tlm[3],
      0 * tlm[0] + 1 * tlm[2],
      0 * tlm[1] + 1 * tlm[3],
      x * tlm[0] + y * tlm[2] + tlm[4],
      x * tlm[1] + y * tlm[3] + tlm[5],
    );
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
      const x = ts.rise * c + e;
      const y = ts.rise * d + f;
      const width = advance * Math.hypot(a, b);
      const size = Math.hypot(sx * a, sx * b);
      const last = join && b === 0 && a > 0 ? out[out.length - 1] : undefined;
      const gap = last ? x - (last.x + last.width) : Number.NaN;
      if (
        last &&
        Math.abs(gap) <= 0.1 * size &&
        joins(last.str, text) &&
        last.size === size &&
        Math.abs(last.y - y) <= 0.01 * size &&
        last.face === face.face &&
        last.bold === face.bold &&
        last.italic === face.italic
      ) {
        last.str += text;
        last.width = x + width - last.x;
      } else {
        out.push({ str: text, x, y, width, size, font: ts.fontName, face: face.face, bold: face.bold, italic: face.italic });
      }
    }
    // tm = [1 0 0 1 advance 0] × tm
    tm[4] = advance * tm[0] + tm[4];
    tm[5] = advance * tm[1] + tm[5];
  };
  // Defined once, not per operator: a closure made in the loop costs more than the operator.
  const n = (k: number) => Number(ops[nOps - k]);
  for (;;) {
    const t = lx.next();
    if (t === undefined) break;
    if (typeof t !== 'string') {
      ops[nOps++] = t;
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
        setLine(1, 0, 0, 1, 0, 0);
        break;
      case 'Tf': {
        const name = (ops[nOps - 2] as PdfName)?.n ?? '';
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
        nextLine(n(2), n(1));
        break;
      case 'TD':
        ts.tl = -n(1);
        nextLine(n(2), n(1));
        break;
      case 'Tm':
        setLine(n(6), n(5), n(4), n(3), n(2), n(1));
        break;
      case 'T*':
        nextLine(0, -ts.tl);
        break;
      case 'Tj':
        show(ops[nOps - 1]);
        break;
      case "'":
        nextLine(0, -ts.tl);
        show(ops[nOps - 1]);
        break;
      case '"':
        ts.tw = n(3);
        ts.tc = n(2);
        nextLine(0, -ts.tl);
        show(ops[nOps - 1]);
        break;
      case 'TJ': {
        const arr = ops[nOps - 1];
        for (const el of Array.isArray(arr) ? arr : []) {
          if (el instanceof Uint8Array) show(el);
          else if (typeof el === 'number') {
            // tm = [1 0 0 1 x 0] × tm
            const x = (-el / 1000) * ts.size * ts.th;
            const m0 = tm[0];
            const m1 = tm[1];
            const m2 = tm[2];
            const m3 = tm[3];
            tm[0] = 1 * m0 + 0 * m2;
            tm[1] = 1 * m1 + 0 * m3;
            tm[2] = 0 * m0 + 1 * m2;
            tm[3] = 0 * m1 + 1 * m3;
            tm[4] = x * m0 + 0 * m2 + tm[4];
            tm[5] = x * m1 + 0 * m3 + tm[5];
          }
        }
        break;
      }
      case 'Do': {
        const x = pdf.resolve(xobjects?.get((ops[nOps - 1] as PdfName)?.n ?? ''));
        if (x instanceof PdfStream && (x.dict.get('Subtype') as PdfName | undefined)?.n === 'Form') {
          if (depth >= 4) throw new Unsupported('nested forms');
          const m = pdf.resolve(x.dict.get('Matrix'));
          const fm = (Array.isArray(m) && m.length === 6 ? m.map(Number) : [1, 0, 0, 1, 0, 0]) as Matrix;
          runContent(pdf, pdf.decode(x), pdf.dict(x.dict.get('Resources')) ?? resources, mul(fm, ctm), out, budget, depth + 1, join, draws);
        } else if (draws) drawXObject(pdf, x, ctm, draws);
        break;
      }
      case 'gs':
        if (draws && hides(pdf, resources, 'ExtGState', ops[nOps - 1])) draws.unknown = true;
        break;
      case 'scn':
      case 'SCN':
        if (draws && hides(pdf, resources, 'Pattern', ops[nOps - 1])) draws.unknown = true;
        break;
      case 'BI':
        throw new Unsupported('inline image');
    }
    nOps = 0;
  }
}
