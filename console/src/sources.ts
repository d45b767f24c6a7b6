/**
 * The document beside a review item's fields, and where each field was read in it
 * (GET /api/documents/{id}/sources): a PDF drawn by pdf.js with the lines boxed
 * (console/src/pdf-view.ts, loaded only here), or — a DOCX, a document written in the mail — its
 * text line by line with the lines marked. Without pdf.js (it failed on the file) the PDF is shown
 * in the browser's own viewer from a blob: URL, without highlights.
 */
import { h, replace } from '../../addin/src/dom.ts';
import { TOKEN_KEY, type Ctx } from './app.ts';
import type { Box, PdfView } from './pdf-view.ts';

interface Span extends Box {
  text: string;
  line: number;
}
export interface Sources {
  kind: 'pdf' | 'text' | 'none';
  /** ocr: a scan, its spans are word boxes (rect); view "searchable": the boxes are on the searchable copy's page. */
  read?: 'text' | 'ocr';
  view?: 'attachment' | 'searchable';
  attachment: number | null;
  filename: string | null;
  lines: string[];
  fields: Partial<Record<string, { band: string | null; spans: Span[] }>>;
}
export interface Attachment {
  idx: number;
  filename: string | null;
  contentType: string;
}

/** Marks where `field` was read; answers what to tell the clerk. */
export type Highlight = (field: string, label: string) => string;

const isPdf = (a: Attachment) => a.contentType.toLowerCase().startsWith('application/pdf') || /\.pdf$/i.test(a.filename ?? '');

async function bytesOf(messageId: string, idx: number, searchable = false): Promise<ArrayBuffer | null> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const file = `api/messages/${messageId}/attachments/${idx}${searchable ? '/searchable' : ''}`;
  const res = await fetch(new URL(file, new URL('./', location.href)), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => null);
  return res?.ok ? res.arrayBuffer() : null;
}

export async function showDocument(
  ctx: Ctx,
  documentId: string,
  message: { id: string; attachments: Attachment[] } | null,
  viewer: HTMLElement,
): Promise<Highlight> {
  const { t, api } = ctx;
  const sourcesCall = api.request<Sources>(`/api/documents/${encodeURIComponent(documentId)}/sources`).catch(() => null);
  let pdf = message?.attachments.find(isPdf);
  let searchable = false;
  if (message && !pdf) {
    // An image scan: its searchable copy (the upright page OCR read, where its boxes are).
    const s = await sourcesCall;
    const image = s?.read === 'ocr' && s.view === 'searchable' ? message.attachments.find((a) => a.idx === s.attachment) : undefined;
    if (image) [pdf, searchable] = [image, true];
  }
  let view: PdfView | null = null;
  if (message && pdf) {
    const bytes = await bytesOf(message.id, pdf.idx, searchable);
    if (!bytes) {
      replace(viewer, h('p', { class: 'error' }, t('unreachable')));
    } else {
      try {
        const { renderPdf } = await import('./pdf-view.ts');
        // Marked before drawing: the first page's canvas is in the page while it is drawn.
        viewer.dataset.attachment = String(pdf.idx);
        // pdf.js takes the buffer over (to its worker): the fallback below needs a copy.
        view = await renderPdf(viewer, bytes.slice(0), (n) => t('viewerPage', { n }));
      } catch {
        const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
        replace(
          viewer,
          h('p', { class: 'hint' }, t('viewerFailed')),
          h('iframe', { src: url, title: pdf.filename ?? 'PDF', 'data-attachment': String(pdf.idx) }),
        );
      }
    }
  }
  const sources = await sourcesCall;
  let lines: HTMLElement[] = [];
  if (!pdf && sources?.kind === 'text') {
    lines = sources.lines.map((l, i) => h('li', { 'data-line': String(i) }, l || '\u00a0'));
    replace(
      viewer,
      h('section', { class: 'text-view', 'aria-label': t('textViewTitle') }, h('h3', {}, sources.filename ?? t('textViewTitle')), h('ol', {}, ...lines)),
    );
  } else if (!pdf) {
    replace(viewer, h('p', { class: 'hint' }, t('noAttachment')));
  }
  return (field, label) => {
    const found = sources?.fields[field];
    const spans = found?.spans ?? [];
    for (const li of lines) li.classList.remove('mark');
    const onPdf = view && sources?.kind === 'pdf' && sources.attachment === pdf?.idx;
    const shown = onPdf ? view!.highlight(spans, label) : spans.length > 0 && lines.length > 0;
    if (onPdf || !lines.length) {
      if (!onPdf) view?.highlight([], label);
    } else {
      for (const s of spans) lines[s.line]?.classList.add('mark');
      lines[spans[0]?.line ?? -1]?.scrollIntoView({ block: 'center' });
    }
    viewer.dataset.highlighted = shown ? field : '';
    if (!shown) return t('sourceNone', { field: label });
    return onPdf ? t('sourceFound', { field: label, page: spans[0].page + 1 }) : t('sourceFoundLine', { field: label, n: spans[0].line + 1 });
  };
}
