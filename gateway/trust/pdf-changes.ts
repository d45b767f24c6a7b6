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
 */
import { PdfFile, PdfName, PdfRef, PdfStream, Unsupported, type PdfDict, type PdfObj } from '../documents/sources/pdf-objects.ts';

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

/** Objects compared before the analysis gives up (hostile files with huge graphs). */
const MAX_STEPS = 500_000;
const MAX_CHANGES = 40;
const MAX_DEPTH = 64;
/** The inheritable page attributes (ISO 32000-1 Table 30). */
const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'];

class Budget extends Unsupported {}

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

const name = (v: PdfObj | undefined): string | null => (v instanceof PdfName ? v.n : null);

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

interface Page {
  num: number | null;
  dict: PdfDict;
  inherited: Map<string, PdfObj>;
}

interface Entry {
  num: number | null;
  dict: PdfDict;
}

/** Compares the final file (f) with the signed revision (r) from the catalog down. */
class Diff {
  readonly changes: SigningChange[] = [];
  more = 0;
  private steps = 0;
  private readonly memo = new Map<string, boolean>();
  /** Annotations and fields already judged (a signature field is both). */
  private readonly judged = new Set<number>();

  constructor(
    readonly f: PdfFile,
    readonly r: PdfFile,
    readonly p: 1 | 2 | 3,
  ) {}

  run(): void {
    const rootF = this.f.dict(this.f.trailer.get('Root'));
    const rootR = this.r.dict(this.r.trailer.get('Root'));
    if (!rootF || !rootR) throw new Unsupported('no document catalog');
    this.pages(rootF, rootR);
    this.form(rootF, rootR);
    this.catalog(rootF, rootR);
  }

  private note(permitted: boolean, vi: string, en: string): void {
    if (this.changes.length >= MAX_CHANGES) {
      this.more++;
      if (!permitted && this.changes.every((c) => c.permitted)) this.changes[this.changes.length - 1] = { permitted, vi, en };
      return;
    }
    this.changes.push({ permitted, vi, en });
  }

  private tick(): void {
    if (++this.steps > MAX_STEPS) throw new Budget('too many objects');
  }

  // ---- the catalog ------------------------------------------------------------------------

  private catalog(f: PdfDict, r: PdfDict): void {
    for (const key of new Set([...f.keys(), ...r.keys()])) {
      if (key === 'Pages' || key === 'AcroForm') continue;
      if (this.eq(f.get(key), r.get(key))) continue;
      if (key === 'DSS' || key === 'Extensions') {
        if (key === 'DSS') this.note(true, 'bổ sung dữ liệu kiểm tra hiệu lực chữ ký (DSS)', 'validation data (DSS) was added or updated');
        continue;
      }
      if (key === 'Metadata') {
        this.note(this.p >= 2, 'cập nhật siêu dữ liệu XMP', 'the XMP metadata was updated');
        continue;
      }
      if (key === 'Perms') {
        this.note(false, 'quyền của chữ ký chứng thực (/Perms) bị thay đổi', 'the certification permissions (/Perms) were changed');
        continue;
      }
      const how = !r.has(key) ? ['bị thêm', 'added'] : !f.has(key) ? ['bị xóa', 'removed'] : ['bị thay đổi', 'changed'];
      this.note(false, `mục /${key} của văn bản ${how[0]}`, `the document catalog entry /${key} was ${how[1]}`);
    }
  }

  // ---- pages ------------------------------------------------------------------------------

  private pages(rootF: PdfDict, rootR: PdfDict): void {
    const pf = this.pageList(this.f, rootF);
    const pr = this.pageList(this.r, rootR);
    if (pf.length > pr.length) {
      const n = pf.length - pr.length;
      this.note(
        false,
        `thêm ${n} trang (từ ${pr.length} thành ${pf.length} trang)`,
        `${n} page${n > 1 ? 's were' : ' was'} added (${pr.length} → ${pf.length} pages)`,
      );
    } else if (pf.length < pr.length) {
      const n = pr.length - pf.length;
      this.note(
        false,
        `bớt ${n} trang (từ ${pr.length} còn ${pf.length} trang)`,
        `${n} page${n > 1 ? 's were' : ' was'} removed (${pr.length} → ${pf.length} pages)`,
      );
    }
    const common = Math.min(pf.length, pr.length);
    for (let i = 0; i < common; i++) {
      const n = i + 1;
      const a = pf[i];
      const b = pr[i];
      const differs = this.pageKeys(a, b).filter((k) => !this.eq(this.pageValue(a, k), this.pageValue(b, k), true));
      if (differs.length) {
        if (a.num !== b.num) this.note(false, `trang ${n} bị thay thế`, `page ${n} was replaced`);
        else {
          for (const k of differs) {
            if (k === 'Contents') this.note(false, `nội dung trang ${n} bị thay đổi`, `the content of page ${n} was changed`);
            else if (k === 'Resources')
              this.note(false, `tài nguyên (phông chữ, hình ảnh) của trang ${n} bị thay đổi`, `the resources (fonts, images) of page ${n} were changed`);
            else this.note(false, `trang ${n}: /${k} bị thay đổi`, `page ${n}: /${k} was changed`);
          }
        }
      }
      this.annotations(n, a, b);
    }
  }

  private pageKeys(a: Page, b: Page): string[] {
    const keys = new Set([...a.dict.keys(), ...b.dict.keys(), ...a.inherited.keys(), ...b.inherited.keys()]);
    keys.delete('Annots');
    keys.delete('Parent');
    return [...keys];
  }

  private pageValue(p: Page, key: string): PdfObj | undefined {
    return p.dict.has(key) ? p.dict.get(key) : p.inherited.get(key);
  }

  /** Leaves of the page tree in order, with inherited attributes; cycles and depth are bounded. */
  private pageList(file: PdfFile, root: PdfDict): Page[] {
    const out: Page[] = [];
    const seen = new Set<number>();
    const walk = (ref: PdfObj | undefined, inherited: Map<string, PdfObj>, depth: number) => {
      this.tick();
      if (depth > MAX_DEPTH) throw new Unsupported('page tree too deep');
      if (ref instanceof PdfRef) {
        if (seen.has(ref.num)) throw new Unsupported('page tree has a cycle or a repeated page');
        seen.add(ref.num);
      }
      const node = file.dict(ref);
      if (!node) return;
      const kids = file.resolve(node.get('Kids'));
      const type = name(file.resolve(node.get('Type')));
      if (type === 'Pages' || (type !== 'Page' && Array.isArray(kids))) {
        const next = new Map(inherited);
        for (const k of INHERITED) if (node.has(k)) next.set(k, node.get(k)!);
        for (const kid of Array.isArray(kids) ? kids : []) walk(kid, next, depth + 1);
        return;
      }
      out.push({ num: ref instanceof PdfRef ? ref.num : null, dict: node, inherited: new Map([...inherited].filter(([k]) => !node.has(k))) });
    };
    walk(root.get('Pages'), new Map(), 0);
    return out;
  }

  // ---- annotations ------------------------------------------------------------------------

  private entries(file: PdfFile, list: PdfObj | undefined): Entry[] {
    const arr = file.resolve(list);
    const out: Entry[] = [];
    for (const a of Array.isArray(arr) ? arr : []) {
      this.tick();
      const dict = file.dict(a);
      if (dict) out.push({ num: a instanceof PdfRef ? a.num : null, dict });
    }
    return out;
  }

  private annotations(n: number, a: Page, b: Page): void {
    const fa = this.entries(this.f, a.dict.get('Annots'));
    const ra = this.entries(this.r, b.dict.get('Annots'));
    // Annotations written inline (no object number) are compared by position.
    const key = (e: Entry, i: number) => (e.num === null ? `#${i}` : String(e.num));
    const fk = new Map(fa.map((e, i) => [key(e, i), e]));
    const rk = new Map(ra.map((e, i) => [key(e, i), e]));
    for (const [k, old] of rk) {
      if (fk.has(k)) continue;
      if (this.isWidget(this.r, old.dict))
        this.note(false, `trường biểu mẫu hoặc chữ ký bị xóa khỏi trang ${n}`, `a form field or signature was removed from page ${n}`);
      else
        this.note(
          this.p >= 3,
          `chú thích bị xóa khỏi trang ${n}${this.p >= 3 ? '' : notAllowed('vi', 3)}`,
          `an annotation was removed from page ${n}${this.p >= 3 ? '' : notAllowed('en', 3)}`,
        );
    }
    for (const [k, cur] of fk) {
      if (cur.num !== null && this.judged.has(cur.num)) continue;
      if (cur.num !== null) this.judged.add(cur.num);
      const old = rk.get(k);
      if (!old) this.added(n, cur.dict);
      else this.modified(n, cur.dict, old.dict);
    }
  }

  private isWidget(file: PdfFile, d: PdfDict): boolean {
    return name(file.resolve(d.get('Subtype'))) === 'Widget';
  }

  /** A field's value of an inheritable field attribute (/FT, /V), up its /Parent chain. */
  private fieldAttr(file: PdfFile, d: PdfDict, key: string): PdfObj | undefined {
    let cur: PdfDict | null = d;
    for (let i = 0; cur && i < 32; i++) {
      if (cur.has(key)) return file.resolve(cur.get(key));
      cur = file.dict(cur.get('Parent'));
    }
    return undefined;
  }

  private fieldName(file: PdfFile, d: PdfDict): string {
    const t = this.fieldAttr(file, d, 'T'); // a widget of a field has the field's name
    return t instanceof Uint8Array ? pdfText(t) : '?';
  }

  private isTimestamp(file: PdfFile, sig: PdfDict | null): boolean {
    return !!sig && (name(file.resolve(sig.get('Type'))) === 'DocTimeStamp' || name(file.resolve(sig.get('SubFilter'))) === 'ETSI.RFC3161');
  }

  /** A new signature field (or a newly signed empty one): time-stamps always, signatures with P ≥ 2. */
  private signatureAdded(field: string, sig: PdfDict | null): void {
    if (this.isTimestamp(this.f, sig)) {
      this.note(true, 'thêm dấu thời gian cho văn bản (document time-stamp)', 'a document time-stamp was added');
      return;
    }
    const ok = this.p >= 2;
    this.note(
      ok,
      `thêm chữ ký số sau (trường “${field}”)${ok ? '' : notAllowed('vi', 2)}`,
      `a later signature was added (field “${field}”)${ok ? '' : notAllowed('en', 2)}`,
    );
  }

  private added(n: number, d: PdfDict): void {
    const f = this.f;
    if (this.isWidget(f, d)) {
      const field = this.fieldName(f, d);
      if (name(this.fieldAttr(f, d, 'FT')) === 'Sig') this.signatureAdded(field, f.dict(this.fieldAttr(f, d, 'V')));
      else this.note(false, `thêm trường biểu mẫu mới “${field}” trên trang ${n}`, `a new form field “${field}” was added on page ${n}`);
      return;
    }
    const subtype = name(f.resolve(d.get('Subtype'))) ?? '?';
    const ok = this.p >= 3;
    this.note(
      ok,
      `thêm chú thích /${subtype} trên trang ${n}${ok ? '' : notAllowed('vi', 3)}`,
      `a /${subtype} annotation was added on page ${n}${ok ? '' : notAllowed('en', 3)}`,
    );
  }

  private modified(n: number, fd: PdfDict, rd: PdfDict): void {
    const keys = this.differingKeys(fd, rd);
    if (!keys.length) return;
    if (this.isWidget(this.r, rd) || rd.has('FT')) {
      this.fieldChanged(fd, rd, keys, `trang ${n}`, `page ${n}`);
      return;
    }
    const ok = this.p >= 3;
    this.note(
      ok,
      `chú thích trên trang ${n} bị sửa${ok ? '' : notAllowed('vi', 3)}`,
      `an annotation on page ${n} was modified${ok ? '' : notAllowed('en', 3)}`,
    );
  }

  /** Keys whose values differ; /P and /Parent point up the tree and are compared by identity. */
  private differingKeys(fd: PdfDict, rd: PdfDict): string[] {
    const out: string[] = [];
    for (const k of new Set([...fd.keys(), ...rd.keys()])) {
      const a = fd.get(k);
      const b = rd.get(k);
      const same = k === 'P' || k === 'Parent' ? sameRef(a, b) : this.eq(a, b);
      if (!same) out.push(k);
    }
    return out;
  }

  private fieldChanged(fd: PdfDict, rd: PdfDict, keys: string[], whereVi: string, whereEn: string): void {
    const field = this.fieldName(this.f, fd);
    if (keys.includes('Kids')) this.kidsChanged(field, fd, rd);
    const rest = keys.filter((k) => k !== 'Kids');
    if (!rest.length) return;
    const appearance = new Set(['AP', 'AS', 'MK']);
    const other = rest.filter((k) => k !== 'V' && !appearance.has(k));
    if (other.length) {
      this.note(
        false,
        `trường “${field}” (${whereVi}): ${other.map((k) => `/${k}`).join(', ')} bị thay đổi`,
        `field “${field}” (${whereEn}): ${other.map((k) => `/${k}`).join(', ')} changed`,
      );
      return;
    }
    if (name(this.fieldAttr(this.r, rd, 'FT')) === 'Sig') {
      const before = this.r.resolve(rd.get('V'));
      if (!rest.includes('V')) {
        // A widget of a field signed now (its parent's /V is new, judged with the field) is
        // painted as part of signing; repainting any other signature widget could hide what was signed.
        const signedNow = isSet(this.fieldAttr(this.f, fd, 'V')) && !isSet(this.fieldAttr(this.r, rd, 'V'));
        if (!signedNow) this.note(false, `hình hiển thị của chữ ký “${field}” bị thay đổi`, `the appearance of signature field “${field}” was changed`);
      } else if (before !== undefined && before !== null) {
        this.note(false, `giá trị chữ ký của trường “${field}” bị thay thế`, `the signature value of field “${field}” was replaced`);
      } else this.signatureAdded(field, this.f.dict(fd.get('V')));
      return;
    }
    const ok = this.p >= 2;
    this.note(ok, `điền trường biểu mẫu “${field}”${ok ? '' : notAllowed('vi', 2)}`, `form field “${field}” was filled in${ok ? '' : notAllowed('en', 2)}`);
  }

  /** A field's /Kids may only grow (new kids are judged as new fields). */
  private kidsChanged(field: string, fd: PdfDict, rd: PdfDict): void {
    const nums = (file: PdfFile, v: PdfObj | undefined) => {
      const arr = file.resolve(v);
      return new Set((Array.isArray(arr) ? arr : []).map((x) => (x instanceof PdfRef ? x.num : -1)));
    };
    const now = nums(this.f, fd.get('Kids'));
    if ([...nums(this.r, rd.get('Kids'))].some((k) => !now.has(k)))
      this.note(false, `trường con của “${field}” bị xóa hoặc thay thế`, `kids of field “${field}” were removed or replaced`);
  }

  // ---- the interactive form ---------------------------------------------------------------

  private form(rootF: PdfDict, rootR: PdfDict): void {
    const af = this.f.dict(rootF.get('AcroForm'));
    const ar = this.r.dict(rootR.get('AcroForm'));
    if (!af && !ar) return;
    if (!af) {
      this.note(false, 'biểu mẫu (AcroForm) bị xóa', 'the interactive form (AcroForm) was removed');
      return;
    }
    const fieldsF = this.fields(this.f, af);
    const fieldsR = ar ? this.fields(this.r, ar) : new Map<number, PdfDict>();
    for (const [num, d] of fieldsR) {
      if (!fieldsF.has(num)) this.note(false, `trường biểu mẫu “${this.fieldName(this.r, d)}” bị xóa`, `form field “${this.fieldName(this.r, d)}” was removed`);
    }
    for (const [num, d] of fieldsF) {
      if (this.judged.has(num)) continue;
      this.judged.add(num);
      const old = fieldsR.get(num);
      if (old) {
        const keys = this.differingKeys(d, old);
        if (keys.length) this.fieldChanged(d, old, keys, 'biểu mẫu', 'form');
        continue;
      }
      if (this.f.resolve(d.get('Kids')) !== undefined && !d.has('FT')) continue; // a new parent: its kids are judged
      const fieldName = this.fieldName(this.f, d);
      if (name(this.fieldAttr(this.f, d, 'FT')) === 'Sig') this.signatureAdded(fieldName, this.f.dict(this.fieldAttr(this.f, d, 'V')));
      else this.note(false, `thêm trường biểu mẫu mới “${fieldName}”`, `a new form field “${fieldName}” was added`);
    }
    for (const k of new Set([...af.keys(), ...(ar?.keys() ?? [])])) {
      if (k === 'Fields' || k === 'SigFlags') continue;
      if (this.eq(af.get(k), ar?.get(k))) continue;
      if (k === 'DR' || k === 'DA' || k === 'NeedAppearances') {
        const ok = this.p >= 2;
        this.note(
          ok,
          `thiết lập mặc định của biểu mẫu (/${k}) được cập nhật${ok ? '' : notAllowed('vi', 2)}`,
          `the form defaults (/${k}) were updated${ok ? '' : notAllowed('en', 2)}`,
        );
      } else this.note(false, `biểu mẫu: /${k} bị thay đổi`, `the interactive form's /${k} was changed`);
    }
  }

  /** Every field of the form's tree by object number (inline fields cannot be told apart: refused). */
  private fields(file: PdfFile, form: PdfDict): Map<number, PdfDict> {
    const out = new Map<number, PdfDict>();
    const walk = (list: PdfObj | undefined, depth: number) => {
      if (depth > 32) throw new Unsupported('form field tree too deep');
      const arr = file.resolve(list);
      for (const x of Array.isArray(arr) ? arr : []) {
        this.tick();
        if (!(x instanceof PdfRef)) throw new Unsupported('form field written inline');
        if (out.has(x.num)) continue;
        const d = file.dict(x);
        if (!d) continue;
        out.set(x.num, d);
        walk(d.get('Kids'), depth + 1);
      }
    };
    walk(form.get('Fields'), 0);
    return out;
  }

  // ---- equality ---------------------------------------------------------------------------

  /**
   * Deep equality of a value of the final file with one of the signed revision, following
   * references on both sides. References to pages, annotations, fields and the catalog are
   * compared by object number: they are judged on their own, by the rules above.
   */
  eq(a: PdfObj | undefined, b: PdfObj | undefined, top = false, depth = 0): boolean {
    this.tick();
    if (depth > 200) throw new Unsupported('objects nested too deep');
    if (a instanceof PdfRef || b instanceof PdfRef) {
      const ra = a instanceof PdfRef ? this.f.get(a.num) : a;
      const rb = b instanceof PdfRef ? this.r.get(b.num) : b;
      if (!top && a instanceof PdfRef && b instanceof PdfRef && (structural(this.f, ra) || structural(this.r, rb))) return a.num === b.num;
      if (!(a instanceof PdfRef && b instanceof PdfRef)) return this.eq(ra, rb, false, depth + 1);
      const key = `${a.num}:${b.num}`;
      const known = this.memo.get(key);
      if (known !== undefined) return known;
      this.memo.set(key, true); // a cycle compares equal unless something else differs
      const same = this.eq(ra, rb, false, depth + 1);
      this.memo.set(key, same);
      return same;
    }
    if (a === undefined || a === null) return b === undefined || b === null;
    if (b === undefined || b === null) return false;
    if (a instanceof PdfName) return b instanceof PdfName && a.n === b.n;
    if (a instanceof PdfStream) {
      return b instanceof PdfStream && Buffer.from(a.raw).equals(Buffer.from(b.raw)) && this.dictEq(a.dict, b.dict, depth, 'Length');
    }
    if (a instanceof Uint8Array) return b instanceof Uint8Array && !(b instanceof PdfStream) && Buffer.from(a).equals(Buffer.from(b));
    if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => this.eq(x, b[i], false, depth + 1));
    if (a instanceof Map) return b instanceof Map && this.dictEq(a, b, depth);
    return a === b;
  }

  private dictEq(a: PdfDict, b: PdfDict, depth: number, skip?: string): boolean {
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      if (k === skip) continue;
      if (!this.eq(a.get(k), b.get(k), false, depth + 1)) return false;
    }
    return true;
  }
}

/** Objects judged by their own rules, never as part of another object's value. */
function structural(file: PdfFile, v: PdfObj | undefined): boolean {
  const d = v instanceof PdfStream ? null : v instanceof Map ? v : null;
  if (!d) return false;
  const type = name(file.resolve(d.get('Type')));
  if (type === 'Page' || type === 'Pages' || type === 'Annot' || type === 'Catalog') return true;
  return (d.has('Subtype') && d.has('Rect')) || d.has('FT') || (d.has('Kids') && d.has('T'));
}

function isSet(v: PdfObj | undefined): boolean {
  return v !== undefined && v !== null;
}

function sameRef(a: PdfObj | undefined, b: PdfObj | undefined): boolean {
  if (a instanceof PdfRef && b instanceof PdfRef) return a.num === b.num;
  return (a === undefined || a === null) && (b === undefined || b === null);
}

function notAllowed(lang: 'vi' | 'en', needs: 2 | 3): string {
  return lang === 'vi'
    ? ` — chỉ được phép khi chữ ký chứng thực cho phép (DocMDP P ≥ ${needs})`
    : ` — only allowed when a certification signature permits it (DocMDP P ≥ ${needs})`;
}

/** A PDF text string: UTF-16BE with a BOM, else PDFDocEncoding (Latin-1 for what field names use). */
function pdfText(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
    return s;
  }
  return Buffer.from(bytes).toString('latin1');
}
