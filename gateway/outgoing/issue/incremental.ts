/**
 * An incremental update (ISO 32000-1 §7.5.6): the signed bytes stay exactly as they are and new or
 * replaced objects, a cross-reference section for them and a trailer with /Prev are appended. This
 * is what keeps the leader's signature valid while the clerk's number, date and the unit's seal are
 * added (docs/issuance.md).
 *
 * pdf-lib reads the document and builds the new objects (fonts are subset and embedded by it); only
 * the objects created here and the ones marked with `touch` are written, under their own numbers.
 */
import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, type PDFObject } from 'pdf-lib';
import { IssueError } from './issue-error.ts';

export { IssueError };

export class IncrementalUpdate {
  private readonly before: Set<number>;
  private readonly touched = new Map<number, PDFRef>();

  private constructor(
    readonly original: Buffer,
    readonly doc: PDFDocument,
    private readonly size: number,
  ) {
    this.before = new Set(doc.context.enumerateIndirectObjects().map(([ref]) => ref.objectNumber));
    // New objects must not reuse numbers of the file's free list or of objects pdf-lib skipped.
    doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, size - 1);
  }

  static async load(bytes: Buffer): Promise<IncrementalUpdate> {
    if (!bytes.subarray(0, 1024).includes('%PDF-')) throw new IssueError('outgoing.issue.not_pdf', 'not a PDF document (không phải tệp PDF)');
    let doc: PDFDocument;
    try {
      doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
    } catch (err) {
      throw new IssueError('outgoing.issue.unreadable', `the PDF cannot be read (không đọc được tệp PDF): ${(err as Error).message}`);
    }
    if (doc.isEncrypted) throw new IssueError('outgoing.issue.encrypted', 'the PDF is encrypted (tệp PDF bị mã hóa)');
    const size = Number(/\/Size\s+(\d+)/.exec(lastTrailer(bytes))?.[1] ?? 0);
    return new IncrementalUpdate(bytes, doc, size);
  }

  /** Marks an existing object as changed: it is written again in the update. */
  touch(ref: PDFRef): void {
    this.touched.set(ref.objectNumber, ref);
  }

  /** The reference of `value` if it is one, else of the object holding it inline (`holder`). */
  holderOf(value: PDFObject | undefined, holder: PDFRef): PDFRef {
    return value instanceof PDFRef ? value : holder;
  }

  async bytes(): Promise<Buffer> {
    await this.doc.flush();
    const ctx = this.doc.context;
    const objects = ctx
      .enumerateIndirectObjects()
      .filter(([ref]) => !this.before.has(ref.objectNumber) || this.touched.has(ref.objectNumber))
      .sort(([a], [b]) => a.objectNumber - b.objectNumber);
    for (const [ref, obj] of objects) if (!this.before.has(ref.objectNumber)) tagSubset(obj);
    const head = this.original.at(-1) === 0x0a ? this.original : Buffer.concat([this.original, Buffer.from('\n')]);
    const parts: Buffer[] = [head];
    let at = head.length;
    const offsets: Array<[number, number, number]> = [];
    for (const [ref, obj] of objects) {
      const body = new Uint8Array(obj.sizeInBytes());
      obj.copyBytesInto(body, 0);
      const chunk = Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`), body, Buffer.from('\nendobj\n')]);
      offsets.push([ref.objectNumber, ref.generationNumber, at]);
      parts.push(chunk);
      at += chunk.length;
    }
    const size = Math.max(this.size, ctx.largestObjectNumber + 1);
    let xref = 'xref\n0 1\n0000000000 65535 f \n';
    for (const [num, gen, off] of offsets) xref += `${num} 1\n${String(off).padStart(10, '0')} ${String(gen).padStart(5, '0')} n \n`;
    const info = ctx.trailerInfo;
    const entries = [`/Size ${size}`, `/Root ${String(info.Root)}`, `/Prev ${previousXref(this.original)}`];
    if (info.Info) entries.push(`/Info ${String(info.Info)}`);
    if (info.ID) entries.push(`/ID ${String(info.ID)}`);
    parts.push(Buffer.from(`${xref}trailer\n<< ${entries.join(' ')} >>\nstartxref\n${at}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }

  get catalogRef(): PDFRef {
    const root = this.doc.context.trailerInfo.Root;
    if (!(root instanceof PDFRef)) throw new IssueError('outgoing.issue.unreadable', 'the PDF has no document catalog (thiếu /Root)');
    return root;
  }

  name(n: string): PDFName {
    return PDFName.of(n);
  }
}

/** Adds `widget` to the page's /Annots (marking what holds the array as changed). */
export function addAnnot(u: IncrementalUpdate, page: PDFDict, pageRef: PDFRef, widget: PDFRef): void {
  const raw = page.get(PDFName.of('Annots'));
  const list = page.lookupMaybe(PDFName.of('Annots'), PDFArray);
  if (list) {
    list.push(widget);
    u.touch(u.holderOf(raw, pageRef));
    return;
  }
  page.set(PDFName.of('Annots'), u.doc.context.obj([widget]));
  u.touch(pageRef);
}

/** Adds `field` to the document's AcroForm /Fields and sets /SigFlags 3 (signatures exist, append only). */
export function addField(u: IncrementalUpdate, field: PDFRef): void {
  const catalog = u.doc.catalog;
  const raw = catalog.get(PDFName.of('AcroForm'));
  const acro = catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  if (!acro) {
    catalog.set(PDFName.of('AcroForm'), u.doc.context.obj({ Fields: [field], SigFlags: 3 }));
    u.touch(u.catalogRef);
    return;
  }
  acro.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  u.touch(u.holderOf(raw, u.catalogRef));
  const fieldsRaw = acro.get(PDFName.of('Fields'));
  const fields = acro.lookupMaybe(PDFName.of('Fields'), PDFArray);
  if (fields) {
    fields.push(field);
    u.touch(fieldsRaw instanceof PDFRef ? fieldsRaw : u.holderOf(raw, u.catalogRef));
    return;
  }
  acro.set(PDFName.of('Fields'), u.doc.context.obj([field]));
  u.touch(u.holderOf(raw, u.catalogRef));
}

/**
 * pdf-lib names a subset font "DejaVuSerif-1234"; ISO 32000-1 §9.6.4 wants a six-letter tag,
 * "ABCDEF+DejaVuSerif", so viewers and preflight tools know the font is not complete.
 */
function tagSubset(obj: PDFObject): void {
  if (!(obj instanceof PDFDict)) return;
  for (const key of ['BaseFont', 'FontName']) {
    const v = obj.get(PDFName.of(key));
    if (!(v instanceof PDFName)) continue;
    const m = /^\/?(.+)-(\d+)$/.exec(v.asString());
    if (!m || m[1].includes('+')) continue;
    const tag = [...createHash('sha256').update(v.asString()).digest()].slice(0, 6).map((b) => String.fromCharCode(65 + (b % 26)));
    obj.set(PDFName.of(key), PDFName.of(`${tag.join('')}+${m[1]}`));
  }
}

function lastTrailer(bytes: Buffer): string {
  const tail = bytes.subarray(Math.max(0, bytes.length - 4096)).toString('latin1');
  const at = tail.lastIndexOf('trailer');
  if (at >= 0) return tail.slice(at);
  // A cross-reference stream: its dictionary holds /Size.
  const from = previousXref(bytes);
  return bytes.subarray(from, from + 2048).toString('latin1');
}

function previousXref(bytes: Buffer): number {
  const tail = bytes.subarray(Math.max(0, bytes.length - 1024)).toString('latin1');
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!m) throw new IssueError('outgoing.issue.unreadable', 'the PDF does not end with startxref/%%EOF (tệp PDF không hoàn chỉnh)');
  return Number(m[1]);
}
