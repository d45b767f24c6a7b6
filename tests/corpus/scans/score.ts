/**
 * Reading the degraded-scan corpus (tests/corpus/scans/manifest.json, made by make.ts) the way the
 * pipeline reads a scan: OCR (ocrPdf / ocrImage), then classifyOcr — the word boxes through the
 * layout reader, OCR confidence lowering confidence — scored field by field against the label of
 * the document the scan was made from (tests/corpus/real/labels.json, compare() of score.ts).
 * Shared by tests/ocr-scans.test.ts and bench/ocr.ts so both measure the same thing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyOcr, type OcrClassification, type OcrOptions, type OcrResult, ocrImage, ocrPdf, ocrReading } from '../../../gateway/documents/ocr/index.ts';
import { compare, type FieldResult, type Label, loadLabels, NOW, runOne } from '../real/score.ts';
import type { ScanCase } from './make.ts';

export const SCANS_DIR = import.meta.dirname;
/** The OCR confidence under which the pipeline marks a reading low (config ocr.minConfidence's default). */
export const MIN_CONFIDENCE = 90;

export function loadCases(): Array<ScanCase & { label: Label }> {
  const labels = new Map(loadLabels().map((l) => [l.file, l]));
  const cases = JSON.parse(readFileSync(path.join(SCANS_DIR, 'manifest.json'), 'utf8')) as ScanCase[];
  return cases.map((c) => {
    const label = labels.get(c.source);
    if (!label) throw new Error(`${c.file}: no label for ${c.source}`);
    return { ...c, label };
  });
}

export interface ScanRun {
  file: string;
  ocr: OcrResult;
  read: OcrClassification;
  /** Fields read from the scan (layout reader on the word boxes). */
  fields: FieldResult[];
  /** The same scan's text read by line heuristics only (what the pipeline did before boxes). */
  plain: FieldResult[];
}

export async function ocrFile(file: string, opts: OcrOptions = {}): Promise<OcrResult> {
  const full = path.join(SCANS_DIR, file);
  return file.toLowerCase().endsWith('.pdf') ? ocrPdf(full, opts) : ocrImage(readFileSync(full), opts);
}

/** The fields scored: those the label gives, the kind always (the label's knownMisses are about the text layer, not the scan). */
function scored(label: Label): Label {
  return { ...label, knownMisses: {} };
}

export async function readScan(c: ScanCase & { label: Label }, opts: OcrOptions = {}): Promise<ScanRun> {
  return classifyScan(c, await ocrFile(c.file, opts));
}

/** A scan's OCR result classified and scored as the pipeline classifies it. */
export async function classifyScan(c: ScanCase & { label: Label }, ocr: OcrResult): Promise<ScanRun> {
  const reading = ocrReading(ocr);
  const name = path.basename(c.file);
  const read = await classifyOcr(name, reading, { now: NOW, minConfidence: MIN_CONFIDENCE });
  const plain = await classifyOcr(name, reading, { now: NOW, minConfidence: MIN_CONFIDENCE, layout: false });
  return { file: c.file, ocr, read, fields: compare(scored(c.label), read.classification), plain: compare(scored(c.label), plain.classification) };
}

/** The text-layer original of a scan, read through the pipeline's path (the baseline the scan is compared with). */
export async function readOriginal(c: ScanCase & { label: Label }): Promise<FieldResult[]> {
  return (await runOne(scored(c.label), 'pipeline')).fields;
}

export function accuracy(fields: FieldResult[][]): number {
  const all = fields.flat();
  return all.length ? Math.round((all.filter((f) => f.ok).length / all.length) * 1000) / 1000 : 0;
}
