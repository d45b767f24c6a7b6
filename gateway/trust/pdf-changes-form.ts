/**
 * Form fields and signatures after signing (pdf-changes.ts): a new or newly filled signature field
 * (a time-stamp always permitted, a later signature with DocMDP P ≥ 2), filled-in form fields,
 * removed fields, the form's defaults.
 */
import { PdfRef, Unsupported, type PdfDict, type PdfFile, type PdfObj } from '../documents/sources/pdf-objects.ts';
import { Comparison, isSet, name, notAllowed, pdfText, sameRef } from './pdf-changes-compare.ts';

export abstract class FormComparison extends Comparison {
  protected isWidget(file: PdfFile, d: PdfDict): boolean {
    return name(file.resolve(d.get('Subtype'))) === 'Widget';
  }

  /** A field's value of an inheritable field attribute (/FT, /V), up its /Parent chain. */
  protected fieldAttr(file: PdfFile, d: PdfDict, key: string): PdfObj | undefined {
    let cur: PdfDict | null = d;
    for (let i = 0; cur && i < 32; i++) {
      if (cur.has(key)) return file.resolve(cur.get(key));
      cur = file.dict(cur.get('Parent'));
    }
    return undefined;
  }

  protected fieldName(file: PdfFile, d: PdfDict): string {
    const t = this.fieldAttr(file, d, 'T'); // a widget of a field has the field's name
    return t instanceof Uint8Array ? pdfText(t) : '?';
  }

  protected isTimestamp(file: PdfFile, sig: PdfDict | null): boolean {
    return !!sig && (name(file.resolve(sig.get('Type'))) === 'DocTimeStamp' || name(file.resolve(sig.get('SubFilter'))) === 'ETSI.RFC3161');
  }

  /** A new signature field (or a newly signed empty one): time-stamps always, signatures with P ≥ 2. */
  protected signatureAdded(field: string, sig: PdfDict | null): void {
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

  /** Keys whose values differ; /P and /Parent point up the tree and are compared by identity. */
  protected differingKeys(fd: PdfDict, rd: PdfDict): string[] {
    const out: string[] = [];
    for (const k of new Set([...fd.keys(), ...rd.keys()])) {
      const a = fd.get(k);
      const b = rd.get(k);
      const same = k === 'P' || k === 'Parent' ? sameRef(a, b) : this.eq(a, b);
      if (!same) out.push(k);
    }
    return out;
  }

  protected fieldChanged(fd: PdfDict, rd: PdfDict, keys: string[], whereVi: string, whereEn: string): void {
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
  protected kidsChanged(field: string, fd: PdfDict, rd: PdfDict): void {
    const nums = (file: PdfFile, v: PdfObj | undefined) => {
      const arr = file.resolve(v);
      return new Set((Array.isArray(arr) ? arr : []).map((x) => (x instanceof PdfRef ? x.num : -1)));
    };
    const now = nums(this.f, fd.get('Kids'));
    if ([...nums(this.r, rd.get('Kids'))].some((k) => !now.has(k)))
      this.note(false, `trường con của “${field}” bị xóa hoặc thay thế`, `kids of field “${field}” were removed or replaced`);
  }

  // ---- the interactive form ---------------------------------------------------------------

  protected form(rootF: PdfDict, rootR: PdfDict): void {
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
  protected fields(file: PdfFile, form: PdfDict): Map<number, PdfDict> {
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
}
