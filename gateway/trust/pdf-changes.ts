/**
 * What changed in a PDF after a signature, judged the way ISO 32000-1 §12.8.2.2 (DocMDP) and
 * PAdES (ETSI EN 319 142-1 §5.4) judge it. The signed revision (the bytes [0, end of /ByteRange))
 * and the final file are read as object graphs through their cross-reference sections and
 * compared from the document catalog down: pages, their content and resources, annotations, form
 * fields, catalog entries. Object numbers and byte positions do not matter, only what a reader
 * would see, so an update that points an old object number at other bytes is caught like one that
 * writes a new object.
 *
 * Permitted after a signature (whatever DocMDP says): validation data (/DSS, /Extensions) and
 * document time-stamps. With DocMDP P ≥ 2 (and without a certification signature, see below):
 * later signatures (a new or a newly filled signature field), filling in form fields. With P = 3
 * also annotations. Everything else — page content streams, resources, new, removed or reordered
 * pages, removed fields, catalog entries such as /OpenAction or /Names — is forbidden.
 *
 * Without a certification signature ISO 32000 sets no limit at all; vanthu then applies P = 2:
 * an annotation (a stamp or a text box) can paint over the signed text of an official document,
 * so it needs a clerk, while a counter-signature or a time-stamp does not.
 *
 * Modules: this file (the entry point and DocMDP), pdf-changes-pages.ts (catalog, pages,
 * annotations), pdf-changes-form.ts (fields and signatures), pdf-changes-compare.ts (the change
 * list, the step budget, equality across the two files).
 */
import { PdfFile } from '../documents/sources/pdf-objects.ts';
import { Budget, name } from './pdf-changes-compare.ts';
import { Diff } from './pdf-changes-pages.ts';

export type ChangesAfterSigning = 'none' | 'permitted' | 'forbidden' | 'unknown';

/** One change after signing, for the clerk: Vietnamese and English. */
export interface SigningChange {
  permitted: boolean;
  vi: string;
  en: string;
}

export interface ChangeAnalysis {
  verdict: Exclude<ChangesAfterSigning, 'none'>;
  /** DocMDP /P of a certification signature in the signed revision; null when there is none. */
  docMdp: 1 | 2 | 3 | null;
  changes: SigningChange[];
}

/**
 * Compares the revision a signature covers (`signedLength` bytes from the start) with the whole
 * file. `final` may be passed when several signatures of one file are analysed.
 */
export function analyseChanges(file: Buffer, signedLength: number, final?: PdfFile): ChangeAnalysis {
  let signed: PdfFile;
  try {
    signed = new PdfFile(file.subarray(0, signedLength));
  } catch (err) {
    return unknown(null, `the signed revision could not be read: ${message(err)}`, `không đọc được bản đã ký: ${message(err)}`);
  }
  // Bytes after the signed revision that no new cross-reference section links in are invisible to
  // a reader that follows the xref, but not to one that repairs the file by scanning it.
  const tail = file.subarray(Math.max(signedLength, file.length - 1024)).toString('latin1');
  const startxref = /startxref\s+(\d+)/.exec(tail.slice(tail.lastIndexOf('startxref')));
  if (!startxref || Number(startxref[1]) < signedLength) {
    return unknown(
      null,
      'the bytes added after signing are not an incremental update (no cross-reference section of their own)',
      'phần dữ liệu thêm sau khi ký không phải là một bản cập nhật hợp lệ (không có bảng tham chiếu chéo riêng)',
    );
  }
  try {
    final ??= new PdfFile(file);
  } catch (err) {
    return unknown(null, `the file as received could not be read: ${message(err)}`, `không đọc được tệp như đã nhận: ${message(err)}`);
  }
  let docMdp: ChangeAnalysis['docMdp'] = null;
  try {
    docMdp = certification(signed);
    const diff = new Diff(final, signed, docMdp ?? 2);
    diff.run();
    const changes = diff.changes;
    if (diff.more > 0)
      changes.push({ permitted: changes.every((c) => c.permitted), vi: `… và ${diff.more} thay đổi khác`, en: `… and ${diff.more} more changes` });
    if (!changes.length) {
      changes.push({
        permitted: true,
        vi: 'có dữ liệu được thêm sau khi ký nhưng không làm thay đổi nội dung văn bản',
        en: 'bytes were added after signing but they change nothing a reader sees',
      });
    }
    return { verdict: changes.some((c) => !c.permitted) ? 'forbidden' : 'permitted', docMdp, changes };
  } catch (err) {
    if (err instanceof Budget)
      return unknown(docMdp, 'the document is too large to compare with its signed revision', 'văn bản quá lớn để so sánh với bản đã ký');
    return unknown(docMdp, `the changes could not be analysed: ${message(err)}`, `không phân tích được phần sửa đổi: ${message(err)}`);
  }
}

function unknown(docMdp: ChangeAnalysis['docMdp'], en: string, vi: string): ChangeAnalysis {
  return { verdict: 'unknown', docMdp, changes: [{ permitted: false, vi, en }] };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** /P of the DocMDP transform of the certification signature (catalog /Perms /DocMDP), or null. */
export function certification(pdf: PdfFile): 1 | 2 | 3 | null {
  const root = pdf.dict(pdf.trailer.get('Root'));
  const sig = pdf.dict(pdf.dict(root?.get('Perms'))?.get('DocMDP'));
  if (!sig) return null;
  const refs = pdf.resolve(sig.get('Reference'));
  for (const r of Array.isArray(refs) ? refs : []) {
    const ref = pdf.dict(r);
    if (name(pdf.resolve(ref?.get('TransformMethod'))) !== 'DocMDP') continue;
    const p = pdf.resolve(pdf.dict(ref?.get('TransformParams'))?.get('P'));
    return p === 1 || p === 3 ? p : 2; // ISO 32000-1 Table 254: default 2
  }
  return 2; // /Perms /DocMDP without a readable transform: the default
}
