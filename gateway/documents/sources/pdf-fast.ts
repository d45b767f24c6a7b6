/**
 * Fast text layer for the PDFs that document systems and word processors produce: fonts with a
 * ToUnicode map (or single-byte fonts without one), text in page content and form XObjects.
 * Returns null whenever a file steps outside that (encryption, Type3 fonts, inline images, other
 * filters, a damaged xref): pdfjs then reads it. Both paths feed the same line builder.
 */
import { DEFAULT_LIMITS_CONFIG, LimitExceeded } from '../../limits.ts';
import type { Run } from '../layout/types.ts';
import { drawAnnotations, undrawnAppearance } from './pdf-annots.ts';
import { type ImageDraws, runContent } from './pdf-content.ts';
import { PdfFile, PdfStream, Unsupported, type InflateLimits, type PdfDict, type PdfObj } from './pdf-objects.ts';

/** A run of text placed on the page: what pdfjs's getTextContent items and this reader both give. */
export type TextItem = Run;

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

function pageList(pdf: PdfFile, maxPages: number): PdfDict[] {
  const root = pdf.dict(pdf.trailer.get('Root'));
  const pages: PdfDict[] = [];
  let visits = 0;
  // Depth and visit caps: a hostile page tree may loop or fan out exponentially.
  const walk = (node: PdfDict | null, inherited: PdfDict | null, box: PdfObj | undefined, cropBox: PdfObj | undefined, depth: number) => {
    if (!node || depth > 32 || ++visits > Math.max(20_000, 2 * maxPages)) return;
    const resources = pdf.dict(node.get('Resources')) ?? inherited;
    const media = node.get('MediaBox') ?? box;
    const crop = node.get('CropBox') ?? cropBox;
    const kids = pdf.resolve(node.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) walk(pdf.dict(k), resources, media, crop, depth + 1);
    else if (pages.length >= maxPages) throw new LimitExceeded('pdf-pages', maxPages, pages.length + 1, `PDF has more than ${maxPages} pages`);
    else pages.push(new Map([...node, ['Resources', resources], ['MediaBox', media ?? null], ['CropBox', crop ?? null]]) as PdfDict);
  };
  walk(pdf.dict(root?.get('Pages')), null, undefined, undefined, 0);
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
  /**
   * After pageItems(index): at most what share of the page (its crop box) the images its content
   * and annotations drew cover (pdf-content.ts ImageDraws); null when the reader cannot tell.
   */
  imageShare(index: number): number | null;
}

/** A box's four numbers, or null when it is not one. */
function boxOf(pdf: PdfFile, v: PdfObj | undefined): number[] | null {
  const box = pdf.resolve(v);
  const n = Array.isArray(box) && box.length === 4 ? box.map((x) => pdf.resolve(x)) : [];
  return n.length === 4 && n.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (n as number[]) : null;
}

/**
 * The area poppler gives the page (pdfinfo's size: the crop box within the media box), never more;
 * null when a box cannot be read (poppler would fall back to sizes of its own) or a user unit is set.
 */
function visibleArea(pdf: PdfFile, page: PdfDict): number | null {
  const media = boxOf(pdf, page.get('MediaBox'));
  const cropObj = page.get('CropBox');
  const crop = cropObj === null || cropObj === undefined ? media : boxOf(pdf, cropObj);
  const unit = pdf.resolve(page.get('UserUnit'));
  if (!media || !crop || (unit !== undefined && unit !== 1)) return null;
  const span = (a0: number, a1: number, b0: number, b1: number) =>
    Math.max(0, Math.min(Math.max(a0, a1), Math.max(b0, b1)) - Math.max(Math.min(a0, a1), Math.min(b0, b1)));
  const area = span(media[0], media[2], crop[0], crop[2]) * span(media[1], media[3], crop[1], crop[3]);
  return area > 0 ? area : null;
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
  const drawn = new Map<number, ImageDraws>();
  const stampedItems = (index: number, budget: PageBudget, draws?: ImageDraws): TextItem[] => {
    const page = pages[index];
    const stamped: TextItem[] = [];
    try {
      drawAnnotations(
        pdf,
        page,
        (data, resources, ctm) => runContent(pdf, data, resources ?? (page.get('Resources') as PdfDict | null), ctm, stamped, budget, 1, false, draws),
        (str, x, y, size) => stamped.push({ str, x, y, size, width: 0.5 * size * str.length }),
      );
      if (draws && undrawnAppearance(pdf, page)) draws.unknown = true;
    } catch (err) {
      // An annotation the fast reader cannot draw adds nothing; limits still stop the file.
      if (err instanceof LimitExceeded || err instanceof OverBudget) throw err;
      if (draws) draws.unknown = true;
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
      const draws: ImageDraws = { area: 0, unknown: false };
      drawn.delete(index);
      runContent(pdf, joined, page.get('Resources') as PdfDict | null, [1, 0, 0, 1, 0, 0], items, budget, 0, true, draws);
      const all = [...items, ...stampedItems(index, budget, draws)];
      drawn.set(index, draws);
      return all;
    },
    stampedItems: (index, budget) => stampedItems(index, budget),
    pageSize(index) {
      const box = pdf.resolve(pages[index]?.get('MediaBox'));
      const n = Array.isArray(box) && box.length === 4 ? box.map((v) => Number(pdf.resolve(v))) : [];
      const ok = n.length === 4 && n.every(Number.isFinite) && n[2] - n[0] > 0 && n[3] - n[1] > 0;
      return ok ? { width: n[2] - n[0], height: n[3] - n[1] } : { width: 595, height: 842 };
    },
    imageShare(index) {
      const draws = drawn.get(index);
      const area = pages[index] ? visibleArea(pdf, pages[index]) : null;
      return !draws || draws.unknown || area === null ? null : draws.area / area;
    },
  };
}
