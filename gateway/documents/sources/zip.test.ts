import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits.ts';
import { docxText } from './docx.ts';
import { decodeText } from './decode.ts';
import { listZip, readEntry } from './zip.ts';

const docx = (xml: string) => Buffer.from(zipSync({ 'word/document.xml': strToU8(xml) }));
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

describe('DOCX text', () => {
  it('reads paragraphs, runs, tabs and table cells as lines', () => {
    const xml = `<w:document ${W}><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>ỦY BAN NHÂN DÂN</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>CỘNG HÒA</w:t></w:r><w:r><w:t xml:space="preserve"> XÃ HỘI</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>Số:</w:t><w:tab/><w:t>1/UBND-VX &amp; KT</w:t></w:r></w:p></w:body></w:document>`;
    expect(docxText(docx(xml), DEFAULT_LIMITS)).toEqual({ text: 'ỦY BAN NHÂN DÂN\nCỘNG HÒA XÃ HỘI\nSố: 1/UBND-VX & KT', reasons: [] });
  });

  it('refuses a zip bomb before inflating it', () => {
    const bomb = Buffer.from(zipSync({ 'word/document.xml': new Uint8Array(8 * 1024 * 1024) }, { level: 9 }));
    const r = docxText(bomb, DEFAULT_LIMITS);
    expect(r.text).toBe('');
    expect(r.reasons[0]).toMatch(/zip bomb/);
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
});
