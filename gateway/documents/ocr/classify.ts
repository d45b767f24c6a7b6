/**
 * A scan's OCR reading classified the way the pipeline does it (docs/ocr.md, "Into the layout
 * reader" and "Confidence"): the text and the word boxes go through the same layout-aware reader
 * as a PDF's text layer (layout.ts → layout/bands.ts → fields/from-blocks.ts), then OCR confidence
 * lowers confidence — the document's by the mean word confidence, each field's by the confidence
 * of the words it was read from, and by half again when one of its words is no Vietnamese syllable
 * (tesseract is sure of "Lâmđòng" at times: a value it vouches for may still be misread). The classify stage (gateway/workers/stages/ocr-input.ts), the
 * degraded-scan tests and `npm run bench:ocr` all come here.
 */
import { classifyDocumentBytes } from '../file.ts';
import { layoutBlocks } from '../layout/bands.ts';
import type { Classification, ClassifyOptions, DocumentMetadata, FieldConfidence } from '../types.ts';
import { meanConfidence, valueConfidence, type WordConfidence, wordConfidences } from './confidence.ts';
import { type OcrPageBoxes, ocrLayouts } from './layout.ts';
import { correctText, correctTokens } from './lexicon.ts';
import type { OcrResult } from './types.ts';

/** An OCR reading as the pipeline stores it (message_ocr: text, confidence, result.pages). */
export interface OcrReading {
  text: string;
  /** Mean word confidence, 0–100. */
  confidence: number;
  pages: OcrPageBoxes[];
}

export interface OcrClassification {
  classification: Classification;
  /** Mean confidence of the words of the notation read (null without one, or when not found). */
  notationConfidence: number | null;
  /** Under minConfidence, whole or in its notation: a clerk checks the fields before the book. */
  low: boolean;
  /** Whether the word boxes were read by the layout reader (false: line heuristics on the text). */
  layout: boolean;
}

/** The stored form of an OCR result. */
export function ocrReading(result: Pick<OcrResult, 'pages'>): OcrReading {
  const pages = result.pages.map((p) => ({ width: p.width, height: p.height, dpi: p.dpi, skewDegrees: p.skewDegrees, words: wordConfidences(p) }));
  return { text: result.pages.map((p) => p.text).join('\n\n'), confidence: Math.round(meanConfidence(pages)), pages };
}

/**
 * The reading with its words corrected against the phrases of official documents (lexicon.ts),
 * tesseract line by line; the text likewise. Confidences and boxes are kept; the reading given is not changed.
 */
export function correctedReading(read: OcrReading): OcrReading {
  const pages = read.pages.map((p) => {
    const words = p.words.map((w) => [...w] as [string, number, ...number[]]);
    const lines = new Map<number, number[]>();
    words.forEach((w, i) => {
      const line = w.length >= 7 ? Number(w[6]) : -1;
      const at = lines.get(line);
      if (at) at.push(i);
      else lines.set(line, [i]);
    });
    for (const at of lines.values()) {
      const fixed = correctTokens(at.map((i) => String(words[i][0])));
      at.forEach((i, j) => {
        words[i][0] = fixed[j];
      });
    }
    return { ...p, words };
  });
  return { ...read, text: correctText(read.text), pages };
}

/** The text a field's value stands for in the recognised words. */
function fieldText(d: DocumentMetadata, key: keyof FieldConfidence): string | null {
  if (key === 'signer') return d.signer ? [d.signer.title, d.signer.name].filter(Boolean).join(' ') || null : null;
  if (key === 'recipients') return d.recipients.join(' ') || null;
  if (key === 'number') return d.notation ?? d.number;
  const v = d[key];
  return typeof v === 'string' ? v : null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
/** A Vietnamese syllable without its tone: onset, one to three vowels, coda. */
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(ng|nh|ch|[cmnpt])?$/u;

/** A word no Vietnamese syllable is written as ("Lâmđòng", "chánhf"): an OCR misreading. Codes, acronyms and numbers are not judged. */
export function misread(word: string): boolean {
  const w = word.normalize('NFC').replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (w.length < 2 || /[^\p{L}]/u.test(w) || /\p{Lu}/u.test(w.slice(1))) return false;
  const nfd = w.toLowerCase().normalize('NFD');
  if ((nfd.match(TONE_MARKS) ?? []).length > 1) return true;
  return !SYLLABLE.test(nfd.replace(TONE_MARKS, '').normalize('NFC'));
}

/**
 * The identity of a document read by OCR (number, issuer, date) is worth at most this: the degraded
 * corpus shows tesseract sure of "Lâm Đông" for "Lâm Đồng" and "5l/TTr" for "51/TTr" (bench:ocr),
 * and a wrong identity links or de-duplicates against the wrong document. So a scan's identity is
 * never booked unseen: it goes to review, pre-filled, under any sensible auto-register threshold.
 */
export const OCR_IDENTITY_CAP = 0.6;
const IDENTITY: Array<keyof FieldConfidence> = ['notation', 'issuer', 'issuedDate'];

/** Fields of words: a misread word among them halves what the field is worth. */
const WORDY: Array<keyof FieldConfidence> = ['issuer', 'place', 'subject', 'signer'];
const MISREAD_FACTOR = 0.5;

export interface OcrClassifyOptions extends ClassifyOptions {
  /** OCR confidence (0–100) under which a reading is low (config ocr.minConfidence). */
  minConfidence: number;
  /** Read the boxes by layout (default true); false: the text by line heuristics only (for comparison). */
  layout?: boolean;
  /** Correct words against known phrases first (default true; correctedReading). */
  correct?: boolean;
}

export async function classifyOcr(name: string, given: OcrReading, opts: OcrClassifyOptions): Promise<OcrClassification> {
  const read = opts.correct === false ? given : correctedReading(given);
  const layouts = opts.layout === false ? [] : ocrLayouts(read.pages);
  const cls = await classifyDocumentBytes(`${name}.ocr.txt`, Buffer.from(read.text, 'utf8'), opts, layouts);
  const layout = layouts.length > 0 && layoutBlocks(layouts) !== null;
  const doc = cls.document;
  if (cls.kind !== 'document' || !doc) return { classification: cls, notationConfidence: null, low: true, layout };
  const words: WordConfidence[] = read.pages.flatMap((p) => p.words as WordConfidence[]);
  const mean = read.confidence;
  const fieldConfidence = { ...(cls.fieldConfidence ?? {}) } as FieldConfidence;
  for (const key of Object.keys(fieldConfidence) as Array<keyof FieldConfidence>) {
    const text = fieldText(doc, key);
    const conf = text ? (valueConfidence(text, words) ?? mean) : mean;
    const garbled = text !== null && WORDY.includes(key) && text.split(/\s+/).some(misread);
    const value = fieldConfidence[key] * (conf / 100) * (garbled ? MISREAD_FACTOR : 1);
    fieldConfidence[key] = round2(IDENTITY.includes(key) ? Math.min(value, OCR_IDENTITY_CAP) : value);
  }
  const notationConfidence = doc.notation ? valueConfidence(doc.notation, words) : null;
  const low = mean < opts.minConfidence || (notationConfidence !== null && notationConfidence < opts.minConfidence);
  const reasons = [...cls.reasons, 'số, cơ quan ban hành, ngày đọc bằng OCR: văn thư kiểm tra — number, issuer and date read by OCR: a clerk checks them'];
  return {
    classification: { ...cls, confidence: round2(Math.min(cls.confidence * (mean / 100), OCR_IDENTITY_CAP)), fieldConfidence, reasons },
    notationConfidence: notationConfidence === null ? null : Math.round(notationConfidence),
    low,
    layout,
  };
}
