/**
 * The searchable copy of a scan kept beside the original for the clerk (docs/ocr.md, "Searchable
 * PDF"): the original's pages as they are, each read page overlaid with tesseract's invisible text
 * (the text-only PDF page the same reading wrote, OcrPage.textPdf), so the words can be found,
 * selected and copied. An image becomes a PDF of its upright page with the text over it.
 *
 * The text was placed on the deskewed page image: it is drawn turned by the skew found, about the
 * page's centre, so it lies over the printed words. A PDF page that carries /Rotate, or that OCR
 * had to turn a quarter-turn to read, keeps no text layer (listed in `pagesWithoutText`) rather
 * than a misplaced one. A photo's page is its sheet as OCR read it: straightened (perspective.ts)
 * and turned upright.
 */
import { degrees, PDFDocument } from 'pdf-lib';
import { OcrBadPdf } from './errors.ts';
import { rotateQuarter } from './orient.ts';
import { rectify } from './perspective.ts';
import { loadSharp } from './sharp.ts';
import type { OcrResult } from './types.ts';

export interface SearchablePdf {
  bytes: Uint8Array;
  /** Pages that got a text layer, and pages read that did not (1-based). */
  pagesWithText: number[];
  pagesWithoutText: number[];
}

type ReadPage = OcrResult['pages'][number];

async function overlay(doc: PDFDocument, target: ReturnType<PDFDocument['getPage']>, p: ReadPage): Promise<boolean> {
  if (!p.textPdf) return false;
  const [text] = await doc.embedPdf(p.textPdf, [0]);
  const { width: w, height: h } = target.getSize();
  // Turned clockwise on the page (PDF angles run anticlockwise) about the centre.
  // The text lies on the page image tesseract read: turned by the skew unless it was read as it lay.
  const a = p.deskewed === false ? 0 : (-(p.skewDegrees ?? 0) * Math.PI) / 180;
  const cx = w / 2;
  const cy = h / 2;
  const x = cx - (cx * Math.cos(a) - cy * Math.sin(a));
  const y = cy - (cx * Math.sin(a) + cy * Math.cos(a));
  target.drawPage(text, { x, y, width: w, height: h, rotate: degrees((a * 180) / Math.PI) });
  return true;
}

/** The original PDF with a text layer over each page OCR read. */
export async function searchablePdf(original: Uint8Array, result: OcrResult): Promise<SearchablePdf> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(original, { updateMetadata: false, ignoreEncryption: false });
  } catch (err) {
    throw new OcrBadPdf(`không mở được PDF để thêm lớp chữ — cannot open the PDF to add a text layer: ${(err as Error).message}`, { cause: err });
  }
  const pagesWithText: number[] = [];
  const pagesWithoutText: number[] = [];
  for (const p of result.pages) {
    const target = p.page <= doc.getPageCount() ? doc.getPage(p.page - 1) : null;
    const turned = !target || target.getRotation().angle % 360 !== 0 || p.rotated !== 0;
    if (!turned && target && (await overlay(doc, target, p))) pagesWithText.push(p.page);
    else pagesWithoutText.push(p.page);
  }
  return { bytes: await doc.save(), pagesWithText, pagesWithoutText };
}

/** An image (each frame read) as a PDF: the upright page image, the text over it. */
export async function searchablePdfOfImage(image: Uint8Array, result: OcrResult): Promise<SearchablePdf> {
  const sharp = await loadSharp();
  if (!sharp) throw new OcrBadPdf('không có sharp để dựng PDF từ ảnh — sharp is needed to make a PDF of an image');
  const doc = await PDFDocument.create();
  const pagesWithText: number[] = [];
  const pagesWithoutText: number[] = [];
  for (const p of result.pages) {
    if (!p.dpi || !p.width) {
      pagesWithoutText.push(p.page);
      continue;
    }
    const turn = [0, 90, 180, 270].includes(p.rotated) ? p.rotated : 0;
    const decoded = sharp(image, { page: p.page - 1, failOn: 'error', limitInputPixels: 40_000_000 })
      .rotate() // EXIF orientation, as ocrImage read it
      .flatten({ background: '#ffffff' });
    let jpeg: Buffer;
    if (p.sheet) {
      // A photo straightened by ocrImage: the same sheet, straightened the same way, then turned.
      const { data, info } = await decoded.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const [tl, tr, br, bl] = p.sheet;
      const rgb = rotateQuarter(rectify({ width: info.width, height: info.height, channels: 3, data }, { tl, tr, br, bl }), turn);
      jpeg = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
        .jpeg({ quality: 80 })
        .toBuffer();
    } else jpeg = await decoded.rotate(turn).jpeg({ quality: 80 }).toBuffer();
    const img = await doc.embedJpg(jpeg);
    const w = (img.width * 72) / p.dpi;
    const h = (img.height * 72) / p.dpi;
    const page = doc.addPage([w, h]);
    page.drawImage(img, { x: 0, y: 0, width: w, height: h });
    if (await overlay(doc, page, { ...p, rotated: 0 })) pagesWithText.push(p.page);
    else pagesWithoutText.push(p.page);
  }
  return { bytes: await doc.save(), pagesWithText, pagesWithoutText };
}
