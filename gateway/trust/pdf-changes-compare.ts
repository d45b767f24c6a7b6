/**
 * The base of the comparison of a signed revision (r) with the final file (f) (pdf-changes.ts):
 * the list of changes, the step budget against hostile graphs, and deep equality of values across
 * the two files. The rules live in pdf-changes-form.ts (fields, signatures) and
 * pdf-changes-pages.ts (catalog, pages, annotations).
 */
import { PdfName, PdfRef, PdfStream, Unsupported, type PdfDict, type PdfFile, type PdfObj } from '../documents/sources/pdf-objects.ts';
import type { SigningChange } from './pdf-changes.ts';

/** Objects compared before the analysis gives up (hostile files with huge graphs). */
const MAX_STEPS = 500_000;
const MAX_CHANGES = 40;
export const MAX_DEPTH = 64;

export class Budget extends Unsupported {}

export const name = (v: PdfObj | undefined): string | null => (v instanceof PdfName ? v.n : null);

export abstract class Comparison {
  readonly changes: SigningChange[] = [];
  more = 0;
  private steps = 0;
  private readonly memo = new Map<string, boolean>();
  /** Annotations and fields already judged (a signature field is both). */
  protected readonly judged = new Set<number>();

  constructor(
    readonly f: PdfFile,
    readonly r: PdfFile,
    readonly p: 1 | 2 | 3,
  ) {}

  protected note(permitted: boolean, vi: string, en: string): void {
    if (this.changes.length >= MAX_CHANGES) {
      this.more++;
      if (!permitted && this.changes.every((c) => c.permitted)) this.changes[this.changes.length - 1] = { permitted, vi, en };
      return;
    }
    this.changes.push({ permitted, vi, en });
  }

  protected tick(): void {
    if (++this.steps > MAX_STEPS) throw new Budget('too many objects');
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

export function isSet(v: PdfObj | undefined): boolean {
  return v !== undefined && v !== null;
}

export function sameRef(a: PdfObj | undefined, b: PdfObj | undefined): boolean {
  if (a instanceof PdfRef && b instanceof PdfRef) return a.num === b.num;
  return (a === undefined || a === null) && (b === undefined || b === null);
}

export function notAllowed(lang: 'vi' | 'en', needs: 2 | 3): string {
  return lang === 'vi'
    ? ` — chỉ được phép khi chữ ký chứng thực cho phép (DocMDP P ≥ ${needs})`
    : ` — only allowed when a certification signature permits it (DocMDP P ≥ ${needs})`;
}

/** A PDF text string: UTF-16BE with a BOM, else PDFDocEncoding (Latin-1 for what field names use). */
export function pdfText(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
    return s;
  }
  return Buffer.from(bytes).toString('latin1');
}
