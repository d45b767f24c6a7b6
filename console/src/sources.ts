/**
 * The document beside a review item's fields, and where each field was read in it
 * (GET /api/documents/{id}/sources): a PDF drawn by pdf.js with the lines boxed
 * (console/src/pdf-view.ts, loaded only here), or — a DOCX, an HTML file — the file drawn as a
 * document (console/src/doc-view.ts) with the blocks holding the lines marked, its text line by line
 * a click away; a document written in the mail: its HTML body drawn the same way when it has one,
 * else its text line by line, with the lines marked. Without pdf.js (it failed on the file) the PDF is shown
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
const isHtml = (a: Attachment) => a.contentType.toLowerCase().startsWith('text/html') || /\.html?$/i.test(a.filename ?? '');
/** An HTML file's text in the charset its type names (UTF-8 when it names none or one the browser does not know). */
function decoded(a: Attachment, bytes: ArrayBuffer): string {
  const charset = /charset="?([\w.:-]+)/i.exec(a.contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder().decode(bytes);
  }
}

/**
 * A DOCX (the file the fields were read from) or an HTML file attached to the mail, drawn as a
 * document (console/src/doc-view.ts, its own chunk), with `find`: the drawn blocks holding a line
 * read; null when there is none or it could not be drawn.
 */
async function renderedFile(messageId: string, file: Attachment, lines: string[]): Promise<{ el: HTMLElement; find: (line: number) => HTMLElement[] } | null> {
  const bytes = await bytesOf(messageId, file.idx);
  if (!bytes) return null;
  try {
    const { blocksOf, docxHtml, safeHtml } = await import('./doc-view.ts');
    const el = h('article', { class: 'rendered', 'data-attachment': String(file.idx), 'data-kind': isHtml(file) ? 'html' : 'docx' });
    el.append(safeHtml(isHtml(file) ? decoded(file, bytes) : await docxHtml(bytes)));
    return { el, find: blocksOf(el, lines) };
  } catch {
    return null;
  }
}

/** The mail's own HTML body (GET /api/messages/{id}/html) drawn the same way, when the fields were read from the mail and it has one. */
async function renderedBody(ctx: Ctx, messageId: string, lines: string[]): Promise<{ el: HTMLElement; find: (line: number) => HTMLElement[] } | null> {
  const body = await ctx.api.request<{ html: string | null }>(`/api/messages/${encodeURIComponent(messageId)}/html`).catch(() => null);
  if (!body?.html) return null;
  try {
    const { blocksOf, safeHtml } = await import('./doc-view.ts');
    const el = h('article', { class: 'rendered', 'data-kind': 'html-body' });
    el.append(safeHtml(body.html));
    return { el, find: blocksOf(el, lines) };
  } catch {
    return null;
  }
}

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
  // Not a PDF: the DOCX the fields were read from, else an HTML file of the mail, drawn as a
  // document; the lines read stay one click away (and are the view when it cannot be drawn).
  const richFile =
    message && !pdf
      ? sources?.kind === 'text' && sources.attachment !== null
        ? message.attachments.find((a) => a.idx === sources.attachment)
        : message.attachments.find(isHtml)
      : undefined;
  const rendered =
    message && richFile
      ? await renderedFile(message.id, richFile, sources?.lines ?? [])
      : message && !pdf && sources?.kind === 'text' && sources.attachment === null
        ? await renderedBody(ctx, message.id, sources.lines)
        : null;
  if (!pdf && (sources?.kind === 'text' || rendered)) {
    lines = (sources?.kind === 'text' ? sources.lines : []).map((l, i) => h('li', { 'data-line': String(i) }, l || '\u00a0'));
    const list = h('ol', { hidden: rendered ? true : undefined }, ...lines);
    const toggle =
      rendered && lines.length
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn view-toggle',
              'aria-pressed': 'false',
              on: {
                click: () => {
                  const asText = list.hidden;
                  list.hidden = !asText;
                  rendered.el.hidden = asText;
                  toggle!.setAttribute('aria-pressed', String(asText));
                  toggle!.textContent = t(asText ? 'renderedView' : 'textView');
                },
              },
            },
            t('textView'),
          )
        : null;
    replace(
      viewer,
      h(
        'section',
        { class: 'text-view', 'aria-label': t('textViewTitle') },
        h('h3', {}, richFile?.filename ?? sources?.filename ?? t('textViewTitle')),
        richFile && !rendered ? h('p', { class: 'hint' }, t('renderedFailed')) : null,
        toggle,
        rendered?.el ?? null,
        list,
      ),
    );
  } else if (!pdf) {
    replace(viewer, h('p', { class: 'hint' }, t('noAttachment')));
  }
  return (field, label) => {
    const found = sources?.fields[field];
    const spans = found?.spans ?? [];
    for (const el of [...lines, ...Array.from(rendered?.el.querySelectorAll('.mark') ?? [])]) el.classList.remove('mark');
    const onPdf = view && sources?.kind === 'pdf' && sources.attachment === pdf?.idx;
    const shown = onPdf ? view!.highlight(spans, label) : spans.length > 0 && lines.length > 0;
    if (onPdf || !lines.length) {
      if (!onPdf) view?.highlight([], label);
    } else {
      for (const s of spans) lines[s.line]?.classList.add('mark');
      // On the drawn document: the blocks holding the same lines.
      const blocks = rendered ? spans.flatMap((s) => rendered.find(s.line)) : [];
      for (const b of blocks) b.classList.add('mark');
      const first = rendered && !rendered.el.hidden ? blocks[0] : lines[spans[0]?.line ?? -1];
      first?.scrollIntoView({ block: 'center' });
    }
    viewer.dataset.highlighted = shown ? field : '';
    if (!shown) return t('sourceNone', { field: label });
    return onPdf ? t('sourceFound', { field: label, page: spans[0].page + 1 }) : t('sourceFoundLine', { field: label, n: spans[0].line + 1 });
  };
}
