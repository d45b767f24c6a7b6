import { randomBytes } from 'node:crypto';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LimitExceeded } from '../../limits.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { docxText } from './docx.ts';
import { decodeText } from './decode.ts';
import { listZip, readEntry } from './zip.ts';

const docx = (xml: string) => Buffer.from(zipSync({ 'word/document.xml': strToU8(xml) }));
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

describe('DOCX text', () => {
  it('reads paragraphs, runs, tabs and table cells as lines', () => {
    const xml = `<w:document ${W}><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>ỦY BAN NHÂN DÂN</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>CỘNG HÒA</w:t></w:r><w:r><w:t xml:space="preserve"> XÃ HỘI</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>Số:</w:t><w:tab/><w:t>1/UBND-VX &amp; KT</w:t></w:r></w:p></w:body></w:document>`;
    const r = docxText(docx(xml), DEFAULT_LIMITS);
    expect({ text: r.text, reasons: r.reasons }).toEqual({ text: 'ỦY BAN NHÂN DÂN\nCỘNG HÒA XÃ HỘI\nSố: 1/UBND-VX & KT', reasons: [] });
    // The laid-out copy keeps the two table cells side by side on one row, the tab run apart.
    const rows = r.layout[0].rows.map((row) => row.cells.map((c) => c.text));
    expect(rows).toEqual([
      ['ỦY BAN NHÂN DÂN', 'CỘNG HÒA XÃ HỘI'],
      ['Số:', '1/UBND-VX & KT'],
    ]);
  });

  it('refuses a zip bomb before inflating it: limit:archive-ratio', () => {
    const bomb = Buffer.from(zipSync({ 'word/document.xml': new Uint8Array(8 * 1024 * 1024) }, { level: 9 }));
    expect(() => docxText(bomb, DEFAULT_LIMITS)).toThrow(expect.objectContaining({ code: 'limit:archive-ratio', max: 200 }));
    expect(() => docxText(bomb, DEFAULT_LIMITS)).toThrow(/zip bomb/);
  });

  it('refuses an entry larger than the limit from its declared size: limit:archive-inflated-bytes', () => {
    const big = Buffer.from(zipSync({ 'word/document.xml': randomBytes(64 * 1024) }, { level: 0 }));
    expect(() => docxText(big, { ...DEFAULT_LIMITS, maxDocxXmlBytes: 32 * 1024 })).toThrow(expect.objectContaining({ code: 'limit:archive-inflated-bytes' }));
  });

  it('refuses an archive with more entries than the limit before reading any: limit:archive-entries', () => {
    const files = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`word/media/${i}.txt`, strToU8('x')]));
    const many = Buffer.from(zipSync({ 'word/document.xml': strToU8(`<w:document ${W}/>`), ...files }));
    expect(() => listZip(many, 10)).toThrow(LimitExceeded);
    expect(() => docxText(many, { ...DEFAULT_LIMITS, maxArchiveEntries: 10 })).toThrow(
      expect.objectContaining({ code: 'limit:archive-entries', observed: 51 }),
    );
    expect(docxText(many, DEFAULT_LIMITS).reasons).toEqual([]);
  });

  it('a declared size of nothing compressed to something is not a way around the ratio', () => {
    const buf = Buffer.from(zipSync({ 'word/document.xml': new Uint8Array(100_000) }, { level: 9 }));
    const entry = listZip(buf)[0];
    expect(() => readEntry(buf, { ...entry, compressedSize: 0 }, 1e9, 200)).toThrow(expect.objectContaining({ code: 'limit:archive-ratio' }));
  });

  it('stops at the declared size when the header lies', () => {
    const buf = Buffer.from(zipSync({ 'word/document.xml': new Uint8Array(100_000).fill(65) }, { level: 9 }));
    const entry = listZip(buf)[0];
    expect(() => readEntry(buf, { ...entry, size: 1000 }, 1e9, 1e9)).toThrow(/declared size/);
  });

  it('reports corrupt or foreign files as reasons', () => {
    expect(docxText(Buffer.from('not a zip at all'), DEFAULT_LIMITS).reasons[0]).toMatch(/not a ZIP/);
    expect(docxText(Buffer.from(zipSync({ 'a.txt': strToU8('x') })), DEFAULT_LIMITS).reasons[0]).toMatch(/no word\/document.xml/);
  });
});

describe('decodeText', () => {
  it('reads UTF-8, UTF-16 with BOM and falls back to Latin-1 for legacy bytes', () => {
    expect(decodeText(Buffer.from('Số: 25/CT-UBND', 'utf8'))).toBe('Số: 25/CT-UBND');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hà Nội', 'utf16le')]))).toBe('Hà Nội');
    expect(decodeText(Buffer.from([0x53, 0xe8, 0x3a]))).toBe('Sè:');
  });
});

describe('XML hardening', () => {
  it('drops a DTD with entity definitions before parsing', async () => {
    const { withoutDoctype } = await import('./docx.ts');
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><w:document/>';
    expect(withoutDoctype(bomb)).toBe('<?xml version="1.0"?><w:document/>');
  });

  it('refuses a tag name over 256 characters before parsing, and keeps long comments, CDATA and text', () => {
    const para = (t: string) => `<w:p><w:r><w:t>${t}</w:t></w:r></w:p>`;
    const docx = (body: string) =>
      Buffer.from(zipSync({ 'word/document.xml': strToU8(`<?xml version="1.0"?><w:document xmlns:w="x"><w:body>${body}</w:body></w:document>`) }));
    // The fuzz input (seed 20261208, docx #1743): a 1 MB tag name among 58,000 paragraphs kept
    // fast-xml-parser busy for 42 s; fuzz/regressions/docx/ replays it.
    const hostile = docxText(docx(`${para('Số: 12/UBND')}<${'\\'.repeat(10_000)}w:p>${para('a').repeat(100)}`), DEFAULT_LIMITS);
    expect(hostile.text).toBe('');
    expect(hostile.reasons[0]).toMatch(/^DOCX could not be read: unreadable \(an XML name is longer than 256 characters\)/);
    const long = 'A'.repeat(2000);
    const fine = docxText(docx(`<!--${long}-->${para(long)}<w:p><w:r><w:t><![CDATA[${long}]]></w:t></w:r></w:p>${para('Số: 12/UBND')}`), DEFAULT_LIMITS);
    expect(fine.reasons).toEqual([]);
    expect(fine.text).toContain('Số: 12/UBND');
  });
});
