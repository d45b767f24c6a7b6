/**
 * The review item's PDF drawn by pdf.js (pdfjs-dist, bundled: its own chunk and worker, loaded only
 * when an item is opened — the other pages never fetch it), one canvas per page, with a layer over
 * each page where the lines a field was read from are boxed (GET /api/documents/{id}/sources:
 * 0-based page, PDF units, y the baseline). Fonts are drawn as paths (no @font-face: the console's
 * Content-Security-Policy allows no inline or data: fonts) and nothing of the file is evaluated.
 */
import { getDocument, GlobalWorkerOptions, type PageViewport } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

export interface Box {
  page: number;
  x0: number;
  x1: number;
  y: number;
  size: number;
  /** A scan's word box as shares of the page (origin top left; OCR boxes): drawn as it is. */
  rect?: { left: number; top: number; width: number; height: number };
}

export interface PdfView {
  pages: number;
  /** Boxes the lines (earlier boxes removed); answers whether any was drawn. The first is scrolled into view. */
  highlight(boxes: Box[], label: string): boolean;
}

/** Pages drawn at most: a review item's header, body and closing are on the first and last ones. */
const MAX_PAGES = 30;

export async function renderPdf(container: HTMLElement, data: ArrayBuffer, pageLabel: (n: number) => string): Promise<PdfView> {
  GlobalWorkerOptions.workerSrc = new URL(workerUrl, location.href).href;
  const pdf = await getDocument({ data: new Uint8Array(data), isEvalSupported: false, disableFontFace: true, useSystemFonts: false }).promise;
  const drawn: Array<{ viewport: PageViewport; layer: HTMLElement; draw: () => Promise<void> }> = [];
  container.replaceChildren();
  const width = Math.max(320, container.clientWidth - 4);
  const ratio = window.devicePixelRatio || 1;
  // Every page is laid out at once (its size known, its boxes placeable); the first is drawn before
  // this answers, the others after, one by one.
  for (let n = 1; n <= Math.min(pdf.numPages, MAX_PAGES); n++) {
    const page = await pdf.getPage(n);
    const viewport = page.getViewport({ scale: Math.min(2, width / page.getViewport({ scale: 1 }).width) });
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', pageLabel(n));
    const layer = document.createElement('div');
    layer.className = 'marks';
    const wrap = document.createElement('div');
    wrap.className = 'page';
    wrap.dataset.page = String(n - 1);
    wrap.append(canvas, layer);
    container.append(wrap);
    const draw = async () => {
      await page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;
      wrap.dataset.drawn = 'true';
    };
    drawn.push({ viewport, layer, draw });
  }
  await drawn[0]?.draw();
  void (async () => {
    for (const d of drawn.slice(1)) await d.draw().catch(() => undefined);
    container.dataset.rendered = String(drawn.length);
  })();
  return {
    pages: pdf.numPages,
    highlight(boxes, label) {
      for (const d of drawn) d.layer.replaceChildren();
      let first: HTMLElement | null = null;
      for (const b of boxes) {
        const d = drawn[b.page];
        if (!d) continue;
        // A scan's word: its box on the page image. Else from the baseline: a little below it for
        // descenders, a line's height above it.
        const r = b.rect;
        const { width: vw, height: vh } = d.viewport;
        const [ax, ay, bx, by] = r
          ? [r.left * vw, r.top * vh, (r.left + r.width) * vw, (r.top + r.height) * vh]
          : d.viewport.convertToViewportRectangle([b.x0, b.y - 0.3 * b.size, b.x1, b.y + 0.95 * b.size]);
        const mark = document.createElement('div');
        mark.className = 'mark';
        mark.title = label;
        mark.style.left = `${Math.min(ax, bx) - 2}px`;
        mark.style.top = `${Math.min(ay, by) - 2}px`;
        mark.style.width = `${Math.abs(bx - ax) + 4}px`;
        mark.style.height = `${Math.abs(by - ay) + 4}px`;
        d.layer.append(mark);
        first ??= mark;
      }
      first?.scrollIntoView({ block: 'center', behavior: 'auto' });
      return first !== null;
    },
  };
}
