/**
 * The leader's signature widget, and where the unit's seal goes over it: Decree 30/2020, Appendix I
 * (docs/domain.md) has the seal cover about a third of the signature, on its left.
 */
import { PDFArray, PDFDict, PDFName, PDFNumber, type PDFDocument } from 'pdf-lib';

export interface SignatureWidget {
  /** 0-based page index. */
  page: number;
  rect: [number, number, number, number];
  /** The field has a value (/V): it is signed. */
  signed: boolean;
}

/** Inheritable field attributes are looked up the /Parent chain (ISO 32000-1 §12.7.3.1). */
function fieldAttr(d: PDFDict, key: string): unknown {
  let cur: PDFDict | undefined = d;
  for (let i = 0; cur && i < 32; i++) {
    const v = cur.get(PDFName.of(key));
    if (v !== undefined) return cur.lookup(PDFName.of(key));
    cur = cur.lookupMaybe(PDFName.of('Parent'), PDFDict);
  }
  return undefined;
}

export function findSignatureWidgets(doc: PDFDocument): SignatureWidget[] {
  const out: SignatureWidget[] = [];
  doc.getPages().forEach((page, index) => {
    const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    for (let i = 0; i < (annots?.size() ?? 0); i++) {
      const a = annots?.lookupMaybe(i, PDFDict);
      if (!a || a.lookupMaybe(PDFName.of('Subtype'), PDFName) !== PDFName.of('Widget')) continue;
      if (fieldAttr(a, 'FT') !== PDFName.of('Sig')) continue;
      const r = a.lookupMaybe(PDFName.of('Rect'), PDFArray);
      if (r?.size() !== 4) continue;
      const n = [0, 1, 2, 3].map((k) => r.lookupMaybe(k, PDFNumber)?.asNumber() ?? 0);
      const rect: [number, number, number, number] = [Math.min(n[0], n[2]), Math.min(n[1], n[3]), Math.max(n[0], n[2]), Math.max(n[1], n[3])];
      out.push({ page: index, rect, signed: fieldAttr(a, 'V') !== undefined });
    }
  });
  return out;
}

/** A square of `size` points whose right edge is a third into the signature, centred on it vertically. */
export function sealRect(sig: [number, number, number, number], size: number): [number, number, number, number] {
  const right = sig[0] + (sig[2] - sig[0]) / 3;
  const mid = (sig[1] + sig[3]) / 2;
  return [right - size, mid - size / 2, right, mid + size / 2];
}
