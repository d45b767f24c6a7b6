/** OCR in Vietnamese of scanned PDFs and photos of paper (docs/ocr.md). */
export * from './errors.ts';
export { type OcrOptions, type OcrPage, type OcrProgress, type OcrResult, type OcrLine, type OcrWord, ocrImage, ocrPdf, preprocess } from './ocr.ts';
export { type PageTextLayer, type PagesNeedingOcrOptions, pagesNeedingOcr, pdfInfo, type PdfInfo } from './pdf.ts';
export { type OcrProbe, type OcrTools, probeOcr, probeOcrCached, REASON_NO_POPPLER, REASON_NO_TESSERACT, REASON_NO_VIE } from './probe.ts';
export { looksLikePage, type PageImageCheck, type PageImageOptions } from './page.ts';
export { meanConfidence, valueConfidence, type WordConfidence, wordConfidences, wordKey } from './confidence.ts';
export { type BoxedWord, hasBoxes, type OcrPageBoxes, ocrLayouts, ocrPageLayout } from './layout.ts';
export { brokenTextReason, type TextQuality, textQuality } from './text-quality.ts';
export { cannotNeedOcr, imagesTooSmall, MAX_IMAGE_SHARE, type PdfRead, textLayerSuffices } from './text-layer.ts';
export { detectOrientation, type Orientation, parseOsd, type QuarterTurn, rotateQuarter } from './orient.ts';
export type { SearchablePdf } from './searchable.ts';
// pdf-lib loads with the first searchable copy, not when the gateway starts (docs/operations.md, "Memory").
export const searchablePdf: typeof import('./searchable.ts').searchablePdf = async (...a) => (await import('./searchable.ts')).searchablePdf(...a);
export const searchablePdfOfImage: typeof import('./searchable.ts').searchablePdfOfImage = async (...a) =>
  (await import('./searchable.ts')).searchablePdfOfImage(...a);
export { classifyOcr, type OcrClassification, type OcrClassifyOptions, type OcrReading, ocrReading } from './classify.ts';
