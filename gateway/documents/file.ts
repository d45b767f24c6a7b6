/** Classifies one file: a message (.eml) or a single document (.pdf, .docx, .txt, .xml edXML). */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { envelopeMetadata } from './edxml/to-metadata.ts';
import type { PageLayout } from './layout/types.ts';
import { DOCUMENT_EVIDENCE, extractDocument } from './extract.ts';
import { resolveLimits } from './limits.ts';
import { uniformConfidence } from './confidence.ts';
import { classifyMessage, statusResult, withFieldConfidence } from './message.ts';
import { prepareText } from './prepare.ts';
import { attachmentText } from './sources/attachment.ts';
import type { Classification, ClassifyOptions } from './types.ts';

/**
 * Classifies a document that arrived without a message around it. `pages`: its positioned pages
 * when they come from elsewhere than the bytes (OCR word boxes, ocr/layout.ts), for the layout reader.
 */
export async function classifyDocumentBytes(name: string, data: Buffer, opts?: ClassifyOptions, pages?: PageLayout[]): Promise<Classification> {
  return withFieldConfidence(await classifyBytes(name, data, opts, pages));
}

async function classifyBytes(name: string, data: Buffer, opts?: ClassifyOptions, pages?: PageLayout[]): Promise<Classification> {
  const limits = resolveLimits(opts);
  const att = await attachmentText(name, '', data, limits, opts?.onLimit);
  if (att.edxml?.kind === 'status') return statusResult(att.edxml, att.reasons);
  if (att.edxml?.kind === 'envelope') {
    const document = envelopeMetadata(att.edxml.envelope);
    return { kind: 'document', document, confidence: 0.97, fieldConfidence: uniformConfidence(document, 0.97), reasons: att.reasons };
  }
  const laid = pages?.length ? pages : att.pages;
  const x = extractDocument(prepareText(att.text, limits.maxTextChars, att.layout), opts?.now ?? new Date(), laid);
  if (x.evidence < DOCUMENT_EVIDENCE) {
    return { kind: 'correspondence', document: null, confidence: 0.8, reasons: ['no official document layout found', ...att.reasons] };
  }
  return {
    kind: 'document',
    document: { ...x.fields, source: 'attachment' },
    confidence: x.confidence,
    fieldConfidence: x.fieldConfidence,
    reasons: [...x.reasons, ...att.reasons],
  };
}

/** Throws (ENOENT, EACCES, EISDIR…) only when the file cannot be read at all. */
export async function classifyFile(path: string, opts?: ClassifyOptions): Promise<Classification> {
  const limits = resolveLimits(opts);
  const info = await stat(path);
  // A message may hold several attachments at the limit; anything far larger is not read at all.
  if (info.isFile() && info.size > limits.maxAttachmentBytes * 2) {
    return withFieldConfidence({
      kind: 'correspondence',
      document: null,
      confidence: 0,
      reasons: [`${path}: ${info.size} bytes is over the size limit; not read`],
    });
  }
  const data = await readFile(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.eml') return classifyMessage(data, opts);
  return classifyDocumentBytes(path.split('/').pop() ?? path, data, opts);
}
