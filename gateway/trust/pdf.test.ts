import { describe, expect, it } from 'vitest';
import { analyseChanges } from './pdf-changes.ts';
import { pdfDate, verifyPdf } from './pdf.ts';
import { TrustStore } from './store.ts';

const ctx = { store: TrustStore.empty(), now: new Date('2026-11-23T00:00:00Z') };

/**
 * A PDF-like file with one signature dictionary whose /ByteRange describes the /Contents gap
 * exactly, unless `edit` changes it. `key` replaces "/Contents", `after` is appended.
 */
function signed(hex: string, opts: { edit?: (r: number[]) => number[]; key?: string; between?: string; after?: string } = {}): Buffer {
  const head = '%PDF-1.4\n1 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange ';
  const placeholder = ' '.repeat(48);
  const middle = `${opts.between ?? ''} ${opts.key ?? '/Contents'} `;
  const tail = " /M (D:20261123090000+07'00') >>\nendobj\n%%EOF\n";
  const b = head.length + placeholder.length + middle.length;
  const c = b + hex.length + 2;
  const total = c + tail.length;
  const range = (opts.edit ?? ((r) => r))([0, b, c, total - c]);
  const text = `${head}${`[${range.join(' ')}]`.padEnd(48)}${middle}<${hex}>${tail}${opts.after ?? ''}`;
  return Buffer.from(text, 'latin1');
}

const reasons = (bytes: Buffer) => verifyPdf(bytes, ctx).map((s) => `${s.verdict}: ${s.reasons.join(' | ')}`);

describe('PDF byte ranges (hostile input)', () => {
  it('reports a well-formed field with a bogus CMS as invalid, not a crash', () => {
    expect(reasons(signed('3003020101'))).toEqual([expect.stringMatching(/^invalid: .*not a readable CMS signature/)]);
  });

  it('treats an all-zero /Contents as an unsigned field', () => {
    expect(reasons(signed('0'.repeat(64)))).toEqual([expect.stringMatching(/^indeterminate: .*not signed/)]);
  });

  it('rejects ranges that lie about where the signature is or how long the file is', () => {
    expect(reasons(signed('00ff', { edit: ([a, b, c, d]) => [a + 1, b - 1, c, d] }))[0]).toMatch(/^invalid: .*does not start at the beginning/);
    expect(reasons(signed('00ff', { edit: ([a, b, c, d]) => [a, b, c, d + 1] }))[0]).toMatch(/^invalid: .*claims \d+ bytes but the file has only/);
    expect(reasons(signed('00ff', { edit: ([a, b, c, d]) => [a, b - 3, c, d] }))[0]).toMatch(/^invalid: .*not exactly the signature value/);
    expect(reasons(signed('00ff', { edit: ([a, b, c, d]) => [a, b, c + 1, d - 1] }))[0]).toMatch(/^invalid: .*not exactly the signature value/);
    expect(reasons(signed('00ff', { edit: ([a, b]) => [a, b, b, 0] }))[0]).toMatch(/^invalid: .*overlap or are empty/);
  });

  it('rejects a gap that is not the /Contents of the same signature dictionary', () => {
    expect(reasons(signed('00ff', { key: '/Foo' }))[0]).toMatch(/^invalid: .*not the \/Contents of this signature/);
    expect(reasons(signed('00ff', { between: '>>\nendobj\n2 0 obj\n<<' }))[0]).toMatch(/^invalid: .*not the \/Contents/);
  });

  it('rejects an odd number of hex digits', () => {
    expect(reasons(signed('3003020'))[0]).toMatch(/^invalid: .*whole number of bytes/);
  });

  it('flags bytes after the signed range, but not trailing whitespace', () => {
    expect(verifyPdf(signed('3003020101', { after: '3 0 obj\n<< >>\nendobj\n' }), ctx)[0].modifiedAfterSigning).toBe(true);
    expect(verifyPdf(signed('3003020101', { after: '\r\n' }), ctx)[0].modifiedAfterSigning).toBe(false);
  });

  it('reports unfilled placeholders and non-PDF input', () => {
    const placeholder = Buffer.from('%PDF-1.4\n<< /ByteRange [0 /********** /********** /**********] /Contents <00> >>');
    expect(reasons(placeholder)).toEqual([expect.stringMatching(/^indeterminate: .*unfilled or malformed \/ByteRange/)]);
    expect(reasons(Buffer.from('just text /ByteRange [0 1 2 3]'))).toEqual([expect.stringMatching(/^indeterminate: not a PDF/)]);
    expect(verifyPdf(Buffer.from('%PDF-1.7\n%%EOF\n'), ctx)).toEqual([]);
  });
});

describe('PDF dates', () => {
  it('reads D:YYYYMMDDHHmmSS with offsets', () => {
    expect(pdfDate("D:20261123090000+07'00'")?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
    expect(pdfDate('D:20261123090000Z')?.toISOString()).toBe('2026-11-23T09:00:00.000Z');
    expect(pdfDate('D:2026')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(pdfDate('yesterday')).toBeNull();
    expect(pdfDate(undefined)).toBeNull();
  });
});

/**
 * A hand-written PDF revision: objects appended after `base` (null body: marked free), an xref
 * table for them, a trailer with /Prev; `trailer` adds entries (e.g. /XRefStm).
 */
function revision(base: string | null, objects: Array<[number, string | null]>, trailer = ''): string {
  let text = base ?? '%PDF-1.7\n';
  const prev = base ? /startxref\s+(\d+)\s+%%EOF\s*$/.exec(base)![1] : null;
  const rows: string[] = [];
  for (const [num, body] of objects) {
    if (body === null) {
      rows.push(`${num} 1\n0000000000 00001 f \n`);
      continue;
    }
    rows.push(`${num} 1\n${String(text.length).padStart(10, '0')} 00000 n \n`);
    text += `${num} 0 obj\n${body}\nendobj\n`;
  }
  const xref = text.length;
  text += `xref\n0 1\n0000000000 65535 f \n${rows.join('')}trailer\n<< /Size 30 /Root 1 0 R${prev ? ` /Prev ${prev}` : ''}${trailer} >>\nstartxref\n${xref}\n%%EOF\n`;
  return text;
}

const stream = (s: string) => `<< /Length ${s.length} >>\nstream\n${s}\nendstream`;
const BASE: Array<[number, string]> = [
  [1, '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>'],
  [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
  [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 10 0 R /Annots [7 0 R 8 0 R] >>'],
  [4, stream('BT /F1 12 Tf 72 760 Td (So: 25/CT-UBND) Tj ET')],
  [5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
  [6, '<< /Fields [7 0 R 8 0 R] /SigFlags 3 >>'],
  [7, '<< /Type /Annot /Subtype /Widget /FT /Tx /T (so_den) /Rect [0 0 10 10] /P 3 0 R >>'],
  [8, '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /Rect [0 0 0 0] /V 9 0 R /P 3 0 R >>'],
  [9, '<< /Type /Sig /Filter /Adobe.PPKLite /Contents <00> >>'],
  [10, '<< /Font << /F1 5 0 R >> >>'],
];

/** The analysis of `update` applied to the base revision (optionally certified with DocMDP P). */
function judge(update: (base: string) => string, p?: 1 | 2 | 3) {
  const objects = p
    ? BASE.map(([n, b]): [number, string] => [
        n,
        n === 1
          ? '<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /Perms << /DocMDP 9 0 R >> >>'
          : n === 9
            ? `<< /Type /Sig /Contents <00> /Reference [<< /TransformMethod /DocMDP /TransformParams << /P ${p} >> >>] >>`
            : b,
      ])
    : BASE;
  const base = revision(null, objects);
  const file = Buffer.from(update(base), 'latin1');
  return analyseChanges(file, base.length);
}

describe('changes after signing (DocMDP)', () => {
  it('sees an object an update deletes with a free xref entry', () => {
    expect(judge((b) => revision(b, [[4, null]]))).toMatchObject({ verdict: 'forbidden', changes: [{ en: 'the content of page 1 was changed' }] });
  });

  it('reads hybrid files: an object moved into an object stream named only by /XRefStm', () => {
    const objStm = (data: string) => `<< /Type /ObjStm /N 1 /First 5 /Length ${data.length} >>\nstream\n${data}\nendstream`;
    const r = judge((b) => {
      const withObjects = revision(b, [
        [11, objStm('10 0 << /Font << /F1 12 0 R >> >>')],
        [12, '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>'],
      ]);
      // Append the xref stream (type 2 entry: object 10 is object 0 of stream 11) and point the trailer at it.
      const at = withObjects.lastIndexOf('xref\n0 1');
      const xrefStm = `13 0 obj\n<< /Type /XRef /W [1 2 1] /Index [10 1] /Size 14 /Length 4 >>\nstream\n\x02\x00\x0b\x00\nendstream\nendobj\n`;
      const head = withObjects.slice(0, at) + xrefStm;
      const table = withObjects
        .slice(at)
        .replace(/trailer\n<< /, `trailer\n<< /XRefStm ${at} `)
        .replace(/startxref\n\d+/, `startxref\n${head.length}`);
      return head + table;
    });
    expect(r).toMatchObject({ verdict: 'forbidden', changes: [{ en: 'the resources (fonts, images) of page 1 were changed' }] });
  });

  it('permits filling in a form field (P=2), not with P=1, and never replacing a signature value', () => {
    const fill = (b: string) => revision(b, [[7, '<< /Type /Annot /Subtype /Widget /FT /Tx /T (so_den) /V (123) /Rect [0 0 10 10] /P 3 0 R >>']]);
    expect(judge(fill)).toMatchObject({ verdict: 'permitted', docMdp: null, changes: [{ permitted: true, en: 'form field “so_den” was filled in' }] });
    expect(judge(fill, 1)).toMatchObject({ verdict: 'forbidden', docMdp: 1 });
    const resign = (b: string) =>
      revision(b, [
        [8, '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /Rect [0 0 0 0] /V 14 0 R /P 3 0 R >>'],
        [14, '<< /Type /Sig /Contents <01> >>'],
      ]);
    expect(judge(resign, 3)).toMatchObject({ verdict: 'forbidden', changes: [{ en: 'the signature value of field “Sig1” was replaced' }] });
    expect(
      judge(
        (b) =>
          revision(b, [
            [6, '<< /Fields [7 0 R] /SigFlags 3 >>'],
            [3, BASE[2][1].replace('8 0 R', '')],
          ]),
        3,
      ),
    ).toMatchObject({ verdict: 'forbidden' });
  });

  it('permits signing an empty field whose widget is a kid of the field, not repainting a signed one', () => {
    const objects = BASE.map(([n, b]): [number, string] => [
      n,
      n === 3 ? b.replace('/Annots [7 0 R 8 0 R]', '/Annots [7 0 R 8 0 R 12 0 R]') : n === 6 ? '<< /Fields [7 0 R 8 0 R 11 0 R] /SigFlags 3 >>' : b,
    ]);
    objects.push(
      [11, '<< /FT /Sig /T (Lanh dao) /Kids [12 0 R] >>'],
      [12, '<< /Type /Annot /Subtype /Widget /Parent 11 0 R /Rect [0 0 0 0] /P 3 0 R >>'],
      [13, stream('q Q')],
    );
    const base = revision(null, objects);
    const sign = revision(base, [
      [11, '<< /FT /Sig /T (Lanh dao) /Kids [12 0 R] /V 14 0 R >>'],
      [14, '<< /Type /Sig /Contents <02> >>'],
      [12, '<< /Type /Annot /Subtype /Widget /Parent 11 0 R /Rect [0 0 0 0] /AP << /N 13 0 R >> /P 3 0 R >>'],
    ]);
    expect(analyseChanges(Buffer.from(sign, 'latin1'), base.length)).toMatchObject({
      verdict: 'permitted',
      changes: [{ permitted: true, en: 'a later signature was added (field “Lanh dao”)' }],
    });
    const repaint = revision(base, [[8, '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /Rect [0 0 595 842] /V 9 0 R /AP << /N 13 0 R >> /P 3 0 R >>']]);
    expect(analyseChanges(Buffer.from(repaint, 'latin1'), base.length)).toMatchObject({
      verdict: 'forbidden',
      changes: [{ en: 'field “Sig1” (page 1): /Rect changed' }],
    });
    const overlay = revision(base, [[8, '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /Rect [0 0 0 0] /V 9 0 R /AP << /N 13 0 R >> /P 3 0 R >>']]);
    expect(analyseChanges(Buffer.from(overlay, 'latin1'), base.length)).toMatchObject({
      verdict: 'forbidden',
      changes: [{ en: 'the appearance of signature field “Sig1” was changed' }],
    });
  });

  it('answers unknown, not permitted, for an update it cannot read', () => {
    const r = judge((b) => `${b}1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>\nendobj\n`); // no xref for it
    expect(r).toMatchObject({ verdict: 'unknown', changes: [{ permitted: false, en: expect.stringMatching(/not an incremental update/) }] });
    const broken = judge((b) =>
      revision(b, [[4, stream('BT (x) Tj ET')]]).replace(/startxref\n(\d+)\n%%EOF\n$/, (_, n) => `startxref\n${Number(n) + 3}\n%%EOF\n`),
    );
    expect(broken).toMatchObject({ verdict: 'unknown', changes: [{ en: expect.stringMatching(/could not be read/) }] });
  });
});
