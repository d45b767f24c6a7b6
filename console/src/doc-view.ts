/**
 * A DOCX or an HTML file shown as a document (loaded only when a review item has one, its own chunk):
 * a DOCX converted to plain semantic HTML by mammoth (headings, paragraphs, tables, lists; no styles,
 * so the console's stylesheet draws it under its Content-Security-Policy), an HTML file as written;
 * both through DOMPurify before they reach the page — no script, no form, no style, nothing loaded
 * from elsewhere (only data: images stay), links open apart without a referrer. docs/console.md.
 */
import DOMPurify from 'dompurify';

interface Mammoth {
  convertToHtml(input: { arrayBuffer: ArrayBuffer }): Promise<{ value: string }>;
}

/** DOMPurify for the console's documents: its hooks on its own instance, not the shared one. */
const purify = DOMPurify(window);
const URL_ATTRS = new Set(['src', 'srcset', 'poster', 'background', 'xlink:href', 'action', 'formaction']);
purify.addHook('uponSanitizeAttribute', (_node, data) => {
  // Nothing fetched: only an image written into the file itself.
  if (URL_ATTRS.has(data.attrName) && !/^data:image\/(png|jpe?g|gif|webp|bmp);/i.test(data.attrValue.trim())) data.keepAttr = false;
});
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (!/^(https?:|mailto:)/i.test(href)) node.removeAttribute('href');
    else {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  }
});

/** The file's HTML, made safe, as nodes to put in the page. */
export function safeHtml(html: string): DocumentFragment {
  return purify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ['style', 'link', 'meta', 'base', 'form', 'input', 'button', 'select', 'textarea', 'iframe', 'frame', 'object', 'embed', 'svg', 'math'],
    FORBID_ATTR: ['style', 'id', 'class', 'name'],
  });
}

/** A DOCX as semantic HTML (mammoth's browser build: pictures become data: images). */
export async function docxHtml(bytes: ArrayBuffer): Promise<string> {
  const { default: mammoth } = (await import('mammoth/mammoth.browser.js')) as unknown as { default: Mammoth };
  return (await mammoth.convertToHtml({ arrayBuffer: bytes })).value;
}

/** Letters as compared: one Unicode form, one space, any case. */
const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('vi');

const BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, pre, blockquote, td, th, dt, dd, div';

/**
 * The rendered document's smallest blocks holding each line the reader read: a field's source
 * lines (GET /api/documents/{id}/sources, line numbers of `lines`) are found in the rendered file by
 * their text, as the reader took them from the same file.
 */
export function blocksOf(root: HTMLElement, lines: string[]): (line: number) => HTMLElement[] {
  const blocks = Array.from(root.querySelectorAll<HTMLElement>(BLOCKS)).filter((b) => !b.querySelector(BLOCKS));
  const texts = blocks.map((b) => norm(b.textContent ?? ''));
  return (line) => {
    const want = norm(lines[line] ?? '');
    if (!want) return [];
    const hits = blocks.filter((_, i) => texts[i] && (texts[i].includes(want) || (texts[i].length > 3 && want.includes(texts[i]))));
    return hits.length ? hits : blocks.filter((_, i) => want.split(' ').every((w) => texts[i].includes(w)));
  };
}
