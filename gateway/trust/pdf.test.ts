import { describe, expect, it } from 'vitest';
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
  const tail = ' /M (D:20261123090000+07\'00\') >>\nendobj\n%%EOF\n';
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
