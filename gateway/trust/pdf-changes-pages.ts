/**
 * The catalog, the pages and their annotations after signing (pdf-changes.ts): page content,
 * resources and attributes, pages added, removed or replaced, annotations added, changed or removed
 * (permitted with DocMDP P = 3 only), catalog entries (validation data permitted, others not).
 */
import { PdfRef, Unsupported, type PdfDict, type PdfFile, type PdfObj } from '../documents/sources/pdf-objects.ts';
import { MAX_DEPTH, name, notAllowed } from './pdf-changes-compare.ts';
import { FormComparison } from './pdf-changes-form.ts';

/** The inheritable page attributes (ISO 32000-1 Table 30). */
const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'];

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
export class Diff extends FormComparison {
  run(): void {
    const rootF = this.f.dict(this.f.trailer.get('Root'));
    const rootR = this.r.dict(this.r.trailer.get('Root'));
    if (!rootF || !rootR) throw new Unsupported('no document catalog');
    this.pages(rootF, rootR);
    this.form(rootF, rootR);
    this.catalog(rootF, rootR);
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
}
