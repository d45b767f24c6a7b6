/**
 * The face of a PDF font: its name without the subset prefix, and whether it is bold or italic
 * (from the name, the descriptor's weight and flags). The layout reader tells the bold title from
 * the regular body by it; the font object's identity cannot, since Word writes one face as several.
 */
import { PdfName, type PdfDict, type PdfFile } from './pdf-objects.ts';

export interface FontFace {
  face: string;
  bold: boolean;
  italic: boolean;
}

const FORCE_BOLD = 1 << 18;
const ITALIC = 1 << 6;

export function faceOf(pdf: PdfFile, font: PdfDict, descendant: PdfDict | null): FontFace {
  const base = pdf.resolve(font.get('BaseFont'));
  const face = base instanceof PdfName ? base.n.replace(/^[A-Z]{6}\+/, '') : '';
  const desc = pdf.dict((descendant ?? font).get('FontDescriptor'));
  const weight = Number(pdf.resolve(desc?.get('FontWeight')) ?? 0);
  const flags = Number(pdf.resolve(desc?.get('Flags')) ?? 0);
  const angle = Number(pdf.resolve(desc?.get('ItalicAngle')) ?? 0);
  return {
    face,
    bold: /bold|black|heavy|semibold|demibold/i.test(face) || weight >= 600 || (flags & FORCE_BOLD) !== 0,
    italic: /italic|oblique/i.test(face) || (flags & ITALIC) !== 0 || (Number.isFinite(angle) && angle !== 0),
  };
}
