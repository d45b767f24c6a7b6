/**
 * OCR of scanned PDFs and photos of paper, in Vietnamese, with tesseract run as a child process
 * (docs/ocr.md). The pieces, by concern:
 *
 *   PDF page  --pdftoppm (ocr-pdf.ts)---->  PPM ┐
 *   image     --sharp decode (ocr-image.ts)-> RGB ┴-> preprocess.ts -> PGM on stdin -> tesseract … tsv
 *                                                      (read-page.ts: orientation, language fallback)
 *
 * document.ts sets up each document (defaults, time budget and abort, tools, work folder);
 * raster.ts holds the pixel steps; orient.ts the orientation; tsv.ts the parser of tesseract's output.
 * Word boxes are given in the pixels of the page image as rendered (or as decoded, EXIF orientation
 * applied), before the deskew, together with that image's width, height and dpi: x·72/dpi is in
 * PDF points.
 */
export { ocrImage } from './ocr-image.ts';
export { ocrPdf } from './ocr-pdf.ts';
export { type Prepared, preprocess } from './preprocess.ts';
export { PnmError } from './raster.ts';
export { loadSharp } from './sharp.ts';
export type { OcrLine, OcrWord } from './tsv.ts';
export type { OcrOptions, OcrPage, OcrProgress, OcrResult } from './types.ts';
