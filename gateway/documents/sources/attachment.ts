/** Text (or an edXML message) from one attached file, chosen by its type and name. */
import { parseEdXml, type EdXml } from '../edxml/parse.ts';
import { LimitExceeded } from '../../limits.ts';
import type { ClassifyLimits } from '../types.ts';
import type { PageLayout } from '../layout/types.ts';
import { decodeText } from './decode.ts';
import { docxText } from './docx.ts';
import { pdfText } from './pdf.ts';

export interface AttachmentText {
  name: string;
  text: string;
  edxml: EdXml | null;
  reasons: string[];
  /** The text's line breaks follow a page layout (PDF). */
  layout: boolean;
  /** Positioned pages (PDF, DOCX) for the layout reader; empty for plain text. */
  pages: PageLayout[];
  /** PDF: pages in the file (`pages` holds those read: the first and last ones of a long file). */
  pageCount?: number;
  /** PDF read by the fast reader: per page read, at most what share images cover, null if unknown (pdf.ts PdfText). */
  imageShare?: Array<number | null>;
}

export type FileKind = 'pdf' | 'docx' | 'txt' | 'xml' | 'other';

export function fileKind(name: string, contentType = ''): FileKind {
  const n = name.toLowerCase();
  const t = contentType.toLowerCase();
  if (n.endsWith('.pdf') || t === 'application/pdf') return 'pdf';
  if (n.endsWith('.docx') || t.includes('wordprocessingml')) return 'docx';
  if (n.endsWith('.xml') || n.endsWith('.edxml') || t.endsWith('/xml')) return 'xml';
  if (n.endsWith('.txt') || t === 'text/plain') return 'txt';
  return 'other';
}

/**
 * A limit passed while reading the file (PDF inflation or pages, DOCX entries, size or ratio)
 * becomes a reason naming the outcome (onLimit 'reason', the default: the CLI and the corpus read
 * on), or is thrown as LimitExceeded naming the attachment (onLimit 'throw': the pipeline sends
 * the message to review).
 */
export async function attachmentText(
  name: string,
  contentType: string,
  data: Buffer,
  limits: ClassifyLimits,
  onLimit: 'reason' | 'throw' = 'reason',
): Promise<AttachmentText> {
  const label = name || contentType || 'attachment';
  const out: AttachmentText = { name: label, text: '', edxml: null, reasons: [], layout: false, pages: [] };
  if (data.length > limits.maxAttachmentBytes) {
    out.reasons.push(`${label}: ${data.length} bytes is over the ${limits.maxAttachmentBytes}-byte limit; not read`);
    return out;
  }
  try {
    await readInto(out, name, contentType, data, limits);
  } catch (err) {
    if (!(err instanceof LimitExceeded)) throw err;
    err.in(label);
    if (onLimit === 'throw') throw err;
    out.text = '';
    out.pages = [];
    out.reasons.push(`${label}: ${err.code}: ${err.detail}`);
  }
  return out;
}

async function readInto(out: AttachmentText, name: string, contentType: string, data: Buffer, limits: ClassifyLimits): Promise<void> {
  const label = out.name;
  switch (fileKind(name, contentType)) {
    case 'pdf': {
      const r = await pdfText(data, limits);
      out.text = r.text;
      out.layout = true;
      out.pages = r.layout;
      out.pageCount = r.pages;
      if (r.imageShare) out.imageShare = r.imageShare;
      out.reasons.push(...r.reasons.map((x) => `${label}: ${x}`));
      break;
    }
    case 'docx': {
      const r = docxText(data, limits);
      out.text = r.text;
      out.pages = r.layout;
      out.reasons.push(...r.reasons.map((x) => `${label}: ${x}`));
      break;
    }
    case 'xml':
      out.edxml = parseEdXml(decodeText(data));
      if (!out.edxml) out.reasons.push(`${label}: XML that is not an edXML envelope or status message; ignored`);
      break;
    case 'txt':
      out.text = decodeText(data);
      break;
    default:
      if (/\.doc$/i.test(name) || contentType === 'application/msword') {
        out.reasons.push(`${label}: legacy Word .doc is not read; ask the sender for PDF or DOCX`);
      }
  }
}
