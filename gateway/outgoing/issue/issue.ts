/**
 * Issuing an electronic document the competent person has already signed (Decree 30/2020/NĐ-CP,
 * Appendix I; docs/issuance.md):
 *
 * 1. the number ("Số: 125/UBND-VP") and the date ("ngày 05 tháng 3 năm 2026") are written as text
 *    in the header, each in the appearance of a widget of the unit's (still empty) signature field,
 *    in an incremental update;
 * 2. the unit signs that field in a second incremental update; its seal widget shows the seal
 *    image at true size over the left third of the leader's signature;
 * 3. when configured, the validation data of every signature (DSS, B-LT) and a document time-stamp
 *    (B-LTA) in further updates (ltv.ts).
 *
 * Page content is never rewritten: a new signature field with its widgets is a permitted change
 * after an approval signature (DocMDP P ≥ 2, gateway/trust/pdf-changes.ts), a FreeText annotation
 * would need P = 3 and new page content is never permitted.
 */
import { readFileSync } from 'node:fs';
import {
  PDFDict,
  PDFHexString,
  PDFName,
  type PDFRef,
  beginText,
  drawObject,
  endText,
  moveText,
  popGraphicsState,
  pushGraphicsState,
  concatTransformationMatrix,
  setFontAndSize,
  showText,
  type PDFFont,
} from 'pdf-lib';
import { IncrementalUpdate, IssueError, addAnnot, addField } from './incremental.ts';
import { DEFAULT_FONT, DEFAULT_ITALIC } from './issue-keys.ts';
import type { IssueKey } from './keys.ts';
import { addLongTermValidation, type LtvOptions, type LtvSummary } from './ltv.ts';
import { signPlaceholder, signatureDict } from './pades.ts';
import { findHeaderPlaces, type TextPlace } from './places.ts';
import { findSignatureWidgets, sealRect, type SignatureWidget } from './widgets.ts';

export { IssueError } from './incremental.ts';
export { DEFAULT_FONT, DEFAULT_ITALIC, issueConfigured, loadIssueKeys, type IssueKeys } from './issue-keys.ts';
export { loadIssueKey, type IssueKey } from './keys.ts';
export { closeIssueTokens } from './pkcs11.ts';

export interface IssueInput {
  /** The outgoing book's notation, e.g. "125/UBND-VP". */
  notation: string;
  /** The issue date, YYYY-MM-DD (Hà Nội time, the book's date). */
  issuedDate: string;
  /** "Lâm Đồng": the place before the date when the header has no date line to fill. */
  place: string;
  /** The unit: key (RSA or EC) and certificate, seal image (PNG) and its diameter. */
  unitName: string;
  key: IssueKey;
  seal: Buffer;
  sealMm?: number;
  font?: string;
  italicFont?: string;
  /** RFC 3161 time-stamping authority URL: the unit's signature gets a signature time-stamp. */
  tsa?: string | null;
  /** Long-term validation (ltv.ts): a DSS after signing (B-LT); with `archive`, a document time-stamp over it (B-LTA). */
  ltv?: LtvOptions | null;
  now: Date;
}

export interface IssueResult {
  pdf: Buffer;
  /** Bytes of each incremental update: the unit's field(s) with number, date and seal, then each signature. */
  revisions: number[];
  /** The unit's signature fields, the one with the seal last. */
  fields: string[];
  /** What the DSS holds, when long-term validation is configured. */
  validation: LtvSummary | null;
}

/** "ngày 05 tháng 3 năm 2026": days below 10 and months 1, 2 with a leading zero (Decree 30, Appendix I). */
export function dateParts(issuedDate: string): { day: string; month: string; year: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(issuedDate);
  if (!m) throw new IssueError('outgoing.issue.date', `not a date: ${issuedDate}`);
  const month = Number(m[2]);
  return { day: m[3], month: month <= 2 ? m[2] : String(month), year: m[1] };
}

export function dateLine(place: string, issuedDate: string): string {
  const { day, month, year } = dateParts(issuedDate);
  return `${place}, ngày ${day} tháng ${month} năm ${year}`;
}

const FIELD = 'VanThu';

/** The checks issuance makes before anything is written: a place for the number, the leader's visible signature. */
export async function issuePreflight(pdf: Buffer): Promise<void> {
  await plan(pdf);
}

async function plan(pdf: Buffer) {
  const places = await findHeaderPlaces(pdf);
  const number = places.number;
  if (!number) {
    throw new IssueError('outgoing.issue.no_number_place', 'không tìm thấy chỗ ghi số "Số:" ở phần đầu văn bản (no empty "Số:" in the header)');
  }
  const first = await IncrementalUpdate.load(pdf);
  const leader = findSignatureWidgets(first.doc).filter((w) => w.signed && w.rect[2] > w.rect[0] && w.rect[3] > w.rect[1]);
  const target = leader.at(-1);
  if (!target) {
    throw new IssueError(
      'outgoing.issue.no_signature',
      'văn bản chưa có chữ ký hiển thị của người có thẩm quyền (no visible signature of the competent person to place the seal on)',
    );
  }
  return { places: { ...places, number }, first, target };
}

export async function issueDocument(pdf: Buffer, input: IssueInput): Promise<IssueResult> {
  const { places, first, target } = await plan(pdf);

  // Revision 1: the unit's signature field, not signed yet; its appearance shows the number, the
  // date and the seal, each where Appendix I puts it.
  const { doc } = first;
  // Loaded on first use: fontkit is 2.7 MB of source a started gateway would otherwise keep (docs/operations.md, "Memory").
  doc.registerFontkit((await import('@pdf-lib/fontkit')).default);
  const fonts = {
    F1: await doc.embedFont(readFileSync(input.font ?? DEFAULT_FONT), { subset: true }),
    F2: await doc.embedFont(readFileSync(input.italicFont ?? input.font ?? DEFAULT_ITALIC), { subset: true }),
  };
  const { day, month, year } = dateParts(input.issuedDate);
  const texts: Text[] = [numberText(places.number, input.notation, fonts.F1, 'F1')];
  const italic = (place: TextPlace, text: string): Text => ({ place, text, font: fonts.F2, key: 'F2' });
  if (places.day || places.month || places.year) {
    if (places.day) texts.push(italic(places.day, day));
    if (places.month) texts.push(italic(places.month, month));
    if (places.year) texts.push(italic(places.year, year));
  } else {
    // No date line to fill: the whole line at the right, on the number's baseline (Appendix I, ô 5).
    const text = dateLine(input.place, input.issuedDate);
    const width = fonts.F2.widthOfTextAtSize(text, places.number.size);
    texts.push(italic({ ...places.number, x: places.page.width * 0.72 - width / 2 }, text));
  }
  const image = await doc.embedPng(input.seal);
  const seal = { rect: sealRect(target.rect, ((input.sealMm ?? 38) * 72) / 25.4), ref: image.ref };
  // One field when the header and the leader's signature share a page; otherwise the unit also
  // signs a field on the first page that shows the number and the date.
  const fields: Array<{ page: number; name: string; texts: Text[]; seal: typeof seal | null }> =
    target.page === 0
      ? [{ page: 0, name: FIELD, texts, seal }]
      : [
          { page: 0, name: `${FIELD}-SoNgay`, texts, seal: null },
          { page: target.page, name: FIELD, texts: [], seal },
        ];
  const refs = fields.map((f) => signatureField(first, f.page, f.name, input.unitName, f.texts, f.seal));
  const numbered = await first.bytes();

  // Then the unit signs each field, one incremental update each; the last covers the whole file.
  const revisions = [numbered.length - pdf.length];
  let current = numbered;
  for (const ref of refs) {
    const u = await IncrementalUpdate.load(current);
    const ctx = u.doc.context;
    const field = ctx.lookup(ref, PDFDict);
    field.set(PDFName.of('V'), ctx.register(signatureDict(ctx, { name: input.unitName, reason: 'Ban hành văn bản', location: input.place, at: input.now })));
    u.touch(ref);
    const signed = await signPlaceholder(await u.bytes(), input.key, input.tsa);
    revisions.push(signed.length - current.length);
    current = signed;
  }
  // Then the validation data of every signature (B-LT), and a document time-stamp over it (B-LTA).
  let validation: LtvSummary | null = null;
  if (input.ltv) {
    const added = await addLongTermValidation(current, input.ltv, input.tsa);
    revisions.push(...added.revisions);
    [current, validation] = [added.pdf, added.summary];
  }
  return { pdf: current, revisions, fields: fields.map((f) => f.name), validation };
}

interface Text {
  place: TextPlace;
  text: string;
  font: PDFFont;
  key: 'F1' | 'F2';
}

type Rect = [number, number, number, number];

/** A signature field that is its own widget, its appearance the texts and the seal at their places. */
function signatureField(u: IncrementalUpdate, pageIndex: number, name: string, unit: string, texts: Text[], seal: { rect: Rect; ref: PDFRef } | null): PDFRef {
  const ctx = u.doc.context;
  const page = u.doc.getPages()[pageIndex];
  const boxes: Rect[] = texts.map((t) => {
    const width = t.font.widthOfTextAtSize(t.text, t.place.size);
    return [t.place.x, t.place.y - t.place.size * 0.3, t.place.x + width, t.place.y + t.place.size];
  });
  if (seal) boxes.push(seal.rect);
  const box: Rect = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
  const ops = texts.flatMap((t) => [
    beginText(),
    setFontAndSize(t.key, t.place.size),
    moveText(t.place.x - box[0], t.place.y - box[1]),
    showText(t.font.encodeText(t.text)),
    endText(),
  ]);
  if (seal) {
    const [x1, y1, x2, y2] = seal.rect;
    ops.push(pushGraphicsState(), concatTransformationMatrix(x2 - x1, 0, 0, y2 - y1, x1 - box[0], y1 - box[1]), drawObject('Seal'), popGraphicsState());
  }
  const fontRefs = Object.fromEntries(texts.map((t) => [t.key, t.font.ref]));
  const ap = ctx.register(
    ctx.formXObject(ops, {
      BBox: [0, 0, box[2] - box[0], box[3] - box[1]],
      Resources: { Font: fontRefs, ...(seal ? { XObject: { Seal: seal.ref } } : {}) },
    }),
  );
  const ref = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFHexString.fromText(name),
      TU: PDFHexString.fromText(`Văn thư ${unit}`),
      Rect: box,
      F: 4 + 128, // Print, Locked
      P: page.ref,
      AP: { N: ap },
    }),
  );
  addAnnot(u, page.node, page.ref, ref);
  addField(u, ref);
  return ref;
}

/** The whole notation after "Số:", or only the number before a code the template already has. */
function numberText(place: TextPlace, notation: string, font: PDFFont, key: Text['key']): Text {
  const code = place.code;
  if (!code) return { place, text: notation, font, key };
  if (!notation.endsWith(code.text)) {
    throw new IssueError(
      'outgoing.issue.code_mismatch',
      `ký hiệu in sẵn "${code.text}" khác ký hiệu của sổ "${notation}" (the template's code differs from the book's notation)`,
    );
  }
  const text = notation.slice(0, notation.length - code.text.length);
  const width = font.widthOfTextAtSize(text, place.size);
  return { place: { ...place, x: Math.max(place.x, code.x - width - place.size * 0.2) }, text, font, key };
}

export type { SignatureWidget };
