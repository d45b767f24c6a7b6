/**
 * The organisation's signature on an appendix issued with a document (Decree 30/2020, Appendix I:
 * a document attached in a file of its own; docs/issuance.md "Appendices"): at the top right of its
 * first page, no image, the document's số and ký hiệu and the signing time (ISO 8601, Vietnam's
 * zone) in black upright text of size 10. Like the document's, it is a PAdES signature of the unit
 * in an incremental update, so an appendix someone signed before keeps that signature valid. With
 * the unit's `ltv`, the appendix gets the document's long-term validation too: a DSS with VRI for
 * its signatures (B-LT) and, with `archive`, a document time-stamp over it (B-LTA), so it verifies
 * years later on its own (docs/issuance.md "Appendices").
 */
import { readFileSync } from 'node:fs';
import { PDFHexString, beginText, endText, moveText, setFontAndSize, showText } from 'pdf-lib';
import { zonedIso } from '../../clock.ts';
import { IncrementalUpdate, IssueError, addAnnot, addField } from './incremental.ts';
import type { IssueKey } from './keys.ts';
import { addLongTermValidation, type LtvOptions, type LtvSummary } from './ltv.ts';
import { signPlaceholder, signatureDict } from './pades.ts';

export interface AppendixInput {
  notation: string;
  unitName: string;
  place: string;
  key: IssueKey;
  now: Date;
  /** The zone the signing time is written in (the deployment's, Asia/Ho_Chi_Minh). */
  timeZone: string;
  font: string;
  tsa?: string | null;
  /** The unit's long-term validation (issue.ltv): as for the document, after the signature. */
  ltv?: LtvOptions | null;
}

export interface StampedAppendix {
  pdf: Buffer;
  /** What the appendix's DSS holds, when long-term validation is configured. */
  validation: LtvSummary | null;
}

const FIELD = 'VanThu-PhuLuc';
const SIZE = 10;
/** From the page's top and right edges, in points (about 10 mm). */
const MARGIN = 28;

/** Whether the file is a PDF the unit can sign (the check made before a number is taken). */
export async function appendixSignable(pdf: Buffer): Promise<boolean> {
  if (!pdf.subarray(0, 1024).includes('%PDF-')) return false;
  try {
    const u = await IncrementalUpdate.load(pdf);
    return u.doc.getPageCount() > 0;
  } catch {
    return false;
  }
}

/** The appendix with the unit's signature field at the top right of page 1, signed; then its validation data. */
export async function stampAppendix(pdf: Buffer, input: AppendixInput): Promise<StampedAppendix> {
  let u: IncrementalUpdate;
  try {
    u = await IncrementalUpdate.load(pdf);
  } catch (err) {
    throw new IssueError('outgoing.issue.appendix', `không đọc được phụ lục PDF (appendix PDF unreadable): ${(err as Error).message}`);
  }
  const { doc } = u;
  // Loaded on first use: fontkit is 2.7 MB of source a started gateway would otherwise keep (docs/operations.md, "Memory").
  doc.registerFontkit((await import('@pdf-lib/fontkit')).default);
  const font = await doc.embedFont(readFileSync(input.font), { subset: true });
  const page = doc.getPages()[0];
  const { x: left, y: bottom, width, height } = page.getMediaBox();
  const lines = [input.notation, zonedIso(input.now, input.timeZone)];
  const textWidth = Math.max(...lines.map((l) => font.widthOfTextAtSize(l, SIZE)));
  const lead = SIZE * 1.25;
  const box: [number, number, number, number] = [
    left + width - MARGIN - textWidth,
    bottom + height - MARGIN - lead * lines.length,
    left + width - MARGIN,
    bottom + height - MARGIN,
  ];
  const ops = lines.flatMap((l, i) => {
    // Right-aligned, first line on top.
    const x = textWidth - font.widthOfTextAtSize(l, SIZE);
    const y = lead * (lines.length - 1 - i) + SIZE * 0.3;
    return [beginText(), setFontAndSize('F1', SIZE), moveText(x, y), showText(font.encodeText(l)), endText()];
  });
  const ctx = doc.context;
  const ap = ctx.register(ctx.formXObject(ops, { BBox: [0, 0, box[2] - box[0], box[3] - box[1]], Resources: { Font: { F1: font.ref } } }));
  const field = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFHexString.fromText(FIELD),
      TU: PDFHexString.fromText(`Văn thư ${input.unitName}`),
      Rect: box,
      F: 4 + 128, // Print, Locked
      P: page.ref,
      AP: { N: ap },
      V: ctx.register(signatureDict(ctx, { name: input.unitName, reason: `Phụ lục văn bản ${input.notation}`, location: input.place, at: input.now })),
    }),
  );
  addAnnot(u, page.node, page.ref, field);
  addField(u, field);
  const signed = await signPlaceholder(await u.bytes(), input.key, input.tsa);
  if (!input.ltv) return { pdf: signed, validation: null };
  const added = await addLongTermValidation(signed, input.ltv, input.tsa);
  return { pdf: added.pdf, validation: added.summary };
}
