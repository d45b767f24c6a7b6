/**
 * Text drawn over a page by its annotations: the number and date a clerk's signing software stamps
 * into the blanks of "Số:      /SNV-TCBC" and "ngày    tháng 10 năm 2025" at the moment of issue
 * (a signature field's appearance, a FreeText annotation or a text field's value, often added in an
 * incremental update). Each appearance stream is run through the page's content reader placed on
 * its annotation rectangle (ISO 32000-1 §12.5.5), so its runs land in the row they complete.
 */
import { PdfName, PdfStream, type PdfDict, type PdfFile, type PdfObj } from './pdf-objects.ts';

type Matrix = [number, number, number, number, number, number];

/** Runs an appearance (content bytes, its resources) with the given matrix; supplied by the reader. */
export type DrawForm = (data: Uint8Array, resources: PdfDict | null, ctm: Matrix) => void;

/** Writes a plain text value (no appearance stream) as a run: supplied by the reader. */
export type DrawText = (text: string, x: number, y: number, size: number) => void;

const HIDDEN = 2;
const NO_VIEW = 32;
const DRAWN = new Set(['Widget', 'FreeText', 'Stamp', 'Square', 'Typewriter']);
/** More annotations than any real page carries: the rest are not read. */
const MAX_ANNOTS = 200;

function numbers(pdf: PdfFile, o: PdfObj | undefined, n: number): number[] | null {
  const v = pdf.resolve(o);
  if (!Array.isArray(v) || v.length !== n) return null;
  const out = v.map((x) => Number(pdf.resolve(x)));
  return out.every(Number.isFinite) ? out : null;
}

/** PDF text string: UTF-16BE with a byte-order mark, or PDFDocEncoding (read as Latin-1). */
export function textString(o: PdfObj | undefined): string {
  if (!(o instanceof Uint8Array)) return typeof o === 'string' ? o : '';
  if (o.length >= 2 && o[0] === 0xfe && o[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < o.length; i += 2) s += String.fromCharCode((o[i] << 8) | o[i + 1]);
    return s;
  }
  return Buffer.from(o).toString('latin1');
}

/** The normal appearance: a stream, or the state /AS selects in a dictionary of states. */
function normalAppearance(pdf: PdfFile, annot: PdfDict): PdfStream | null {
  const ap = pdf.dict(annot.get('AP'));
  const n = pdf.resolve(ap?.get('N'));
  if (n instanceof PdfStream) return n;
  if (n instanceof Map) {
    const state = pdf.resolve(annot.get('AS'));
    const s = pdf.resolve(state instanceof PdfName ? n.get(state.n) : undefined);
    return s instanceof PdfStream ? s : null;
  }
  return null;
}

/** Maps the appearance's (transformed) bounding box onto the annotation rectangle. */
function placement(pdf: PdfFile, form: PdfStream, rect: number[]): Matrix | null {
  const m = (numbers(pdf, form.dict.get('Matrix'), 6) ?? [1, 0, 0, 1, 0, 0]) as Matrix;
  const bbox = numbers(pdf, form.dict.get('BBox'), 4);
  if (!bbox) return null;
  const corners = [
    [bbox[0], bbox[1]],
    [bbox[2], bbox[1]],
    [bbox[0], bbox[3]],
    [bbox[2], bbox[3]],
  ].map(([x, y]) => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const [bx0, bx1, by0, by1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (bx1 - bx0 <= 0 || by1 - by0 <= 0) return null;
  const sx = (rect[2] - rect[0]) / (bx1 - bx0);
  const sy = (rect[3] - rect[1]) / (by1 - by0);
  const a: Matrix = [sx, 0, 0, sy, rect[0] - sx * bx0, rect[1] - sy * by0];
  // The form matrix first, then the fit to the rectangle.
  return [
    m[0] * a[0] + m[1] * a[2],
    m[0] * a[1] + m[1] * a[3],
    m[2] * a[0] + m[3] * a[2],
    m[2] * a[1] + m[3] * a[3],
    m[4] * a[0] + m[5] * a[2] + a[4],
    m[4] * a[1] + m[5] * a[3] + a[5],
  ];
}

/** Font size from a default-appearance string ("/Helv 12 Tf 0 g"). */
function daSize(da: string): number {
  const m = /([\d.]+)\s+Tf/.exec(da);
  const size = m ? Number(m[1]) : 0;
  return size > 0 ? size : 12;
}

/**
 * Draws every visible annotation of the page that shows text. A damaged annotation is skipped: what
 * it would have added is at worst missing, never in the way of the page's own text.
 */
export function drawAnnotations(pdf: PdfFile, page: PdfDict, drawForm: DrawForm, drawText: DrawText): void {
  const list = pdf.resolve(page.get('Annots'));
  if (!Array.isArray(list)) return;
  for (const ref of list.slice(0, MAX_ANNOTS)) {
    const annot = pdf.dict(ref);
    if (!annot) continue;
    const subtype = (pdf.resolve(annot.get('Subtype')) as PdfName | undefined)?.n ?? '';
    const flags = Number(pdf.resolve(annot.get('F')) ?? 0);
    const rect = numbers(pdf, annot.get('Rect'), 4);
    if (!DRAWN.has(subtype) || flags & (HIDDEN | NO_VIEW) || !rect) continue;
    const r = [Math.min(rect[0], rect[2]), Math.min(rect[1], rect[3]), Math.max(rect[0], rect[2]), Math.max(rect[1], rect[3])];
    const form = normalAppearance(pdf, annot);
    const ctm = form ? placement(pdf, form, r) : null;
    if (form && ctm) {
      drawForm(pdf.decode(form), pdf.dict(form.dict.get('Resources')), ctm);
      continue;
    }
    // No appearance: the value itself (a text field's /V, a FreeText's /Contents).
    const value = subtype === 'Widget' ? pdf.resolve(annot.get('V')) : pdf.resolve(annot.get('Contents'));
    const text = textString(value).replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const size = daSize(textString(pdf.resolve(annot.get('DA'))));
    drawText(text, r[0] + 2, r[1] + Math.max(0, (r[3] - r[1] - size) / 2) + 0.2 * size, size);
  }
}

/**
 * Whether the page has an annotation a viewer (poppler) draws and drawAnnotations does not: a visible
 * one with an appearance, of a kind it skips or placed where it cannot tell, or past MAX_ANNOTS. The
 * scan check cannot say such a page draws no large image (docs/ocr.md, "In the pipeline").
 */
export function undrawnAppearance(pdf: PdfFile, page: PdfDict): boolean {
  const list = pdf.resolve(page.get('Annots'));
  if (!Array.isArray(list)) return false;
  if (list.length > MAX_ANNOTS) return true;
  for (const ref of list) {
    const annot = pdf.dict(ref);
    if (!annot) continue;
    const flags = Number(pdf.resolve(annot.get('F')) ?? 0);
    const form = normalAppearance(pdf, annot);
    if (!form || flags & (HIDDEN | NO_VIEW)) continue;
    const subtype = (pdf.resolve(annot.get('Subtype')) as PdfName | undefined)?.n ?? '';
    const rect = numbers(pdf, annot.get('Rect'), 4);
    if (!DRAWN.has(subtype) || !rect || !placement(pdf, form, rect)) return true;
  }
  return false;
}
