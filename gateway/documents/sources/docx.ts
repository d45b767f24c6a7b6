/**
 * Text of a DOCX: paragraphs of word/document.xml (w:p → line, w:t runs, w:tab, w:br), with table
 * cells as their own lines, read through the guarded ZIP reader.
 */
import { XMLParser } from 'fast-xml-parser';
import { LimitExceeded } from '../../limits.ts';
import type { ClassifyLimits } from '../types.ts';
import type { PageLayout } from '../layout/types.ts';
import { docxLayout } from './docx-layout.ts';
import { listZip, readEntry, ZipError } from './zip.ts';

export interface DocxText {
  text: string;
  reasons: string[];
  /** The document laid out for the layout reader (docx-layout.ts). */
  layout: PageLayout[];
}

const parser = new XMLParser({
  // Attributes (alignment, sizes, grid widths) are for the layout; the text walk skips them.
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  removeNSPrefix: true,
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
});

type Ordered = Array<Record<string, unknown>>;

/** Walks the ordered tree: each paragraph (and table cell paragraph) becomes a line. */
function collect(nodes: Ordered, lines: string[], current: { text: string }): void {
  for (const node of nodes) {
    for (const [tag, value] of Object.entries(node)) {
      if (tag === ':@') continue;
      if (tag === '#text') {
        continue;
      }
      const children = Array.isArray(value) ? (value as Ordered) : [];
      if (tag === 't') {
        for (const c of children) if (typeof c['#text'] === 'string' || typeof c['#text'] === 'number') current.text += String(c['#text']);
      } else if (tag === 'tab') {
        current.text += ' ';
      } else if (tag === 'br' || tag === 'cr') {
        lines.push(current.text);
        current.text = '';
      } else if (tag === 'p') {
        collect(children, lines, current);
        lines.push(current.text);
        current.text = '';
      } else {
        collect(children, lines, current);
      }
    }
  }
}

/** The longest element name given to the XML parser (Word's longest are ~30 characters). */
export const MAX_XML_NAME_CHARS = 256;
/** A start or end tag whose name runs on past the limit (comments, CDATA and declarations start with "!"). */
const LONG_NAME = new RegExp(`<[/?]?[^\\s>/=!][^\\s>/=]{${MAX_XML_NAME_CHARS}}`);

/**
 * Word never writes a DTD; dropping one removes any entity-expansion bomb with it. A name longer
 * than MAX_XML_NAME_CHARS is refused (Error): fast-xml-parser carries each element's path with its
 * ancestors' names in it, so one 1 MB tag name over 58,000 paragraphs took 42 s of CPU (found by
 * `npm run fuzz`, docs/fuzzing.md).
 */
export function withoutDoctype(xml: string): string {
  if (LONG_NAME.test(xml)) throw new Error(`an XML name is longer than ${MAX_XML_NAME_CHARS} characters`);
  return xml.replace(/<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/i, '');
}

/** Damage becomes a reason; a limit (entries, size, ratio) throws LimitExceeded for the caller to decide on. */
export function docxText(buf: Buffer, limits: ClassifyLimits): DocxText {
  try {
    const entries = listZip(buf, limits.maxArchiveEntries);
    const main = entries.find((e) => e.name === 'word/document.xml');
    if (!main) return { text: '', reasons: ['DOCX has no word/document.xml'], layout: [] };
    const xml = withoutDoctype(readEntry(buf, main, limits.maxDocxXmlBytes, limits.maxDocxRatio).toString('utf8'));
    const lines: string[] = [];
    const tree = parser.parse(xml) as Ordered;
    collect(tree, lines, { text: '' });
    return { text: lines.join('\n'), reasons: [], layout: docxLayout(tree) };
  } catch (err) {
    if (err instanceof LimitExceeded) throw err;
    const why = err instanceof ZipError ? err.message : `unreadable (${(err as Error).message})`;
    return { text: '', reasons: [`DOCX could not be read: ${why}`], layout: [] };
  }
}
