/**
 * Where fields were read (spans.ts), on real documents of the corpus read as the pipeline reads them:
 * each field's lines come from its Decree 30 band, with their place on the page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits.ts';
import { attachmentText } from '../sources/attachment.ts';
import { layoutBlocks } from './bands.ts';
import { fieldSources, rowBlocks, textBlocks } from './spans.ts';

const REAL = path.resolve(import.meta.dirname, '../../../tests/corpus/real/docs');

async function read(file: string) {
  const att = await attachmentText(file, 'application/pdf', readFileSync(path.join(REAL, file)), DEFAULT_LIMITS);
  const blocks = layoutBlocks(att.pages);
  if (!blocks) throw new Error(`${file}: no header band`);
  return { blocks, page: att.pages[0] };
}

describe('field sources', () => {
  it('finds each field of a công văn in its band (Bộ Nội vụ 11902/BNV-TCPCP)', async () => {
    const { blocks, page } = await read('cv-bnv-11902.pdf');
    const f = fieldSources(blocks, {
      notation: '11902/BNV-TCPCP',
      issuer: 'Bộ Nội vụ',
      issuedDate: '2025-12-11',
      subject: 'Báo cáo tình hình tổ chức, hoạt động và quản lý hội ở địa phương năm 2025',
      signer: 'Vũ Chiến Thắng',
      typeName: 'Công văn',
    });
    expect(f.notation).toMatchObject({ band: 'headerLeft' });
    expect(f.notation!.spans.map((s) => s.text).join(' ')).toContain('11902');
    expect(f.issuer).toMatchObject({ band: 'headerLeft' });
    expect(f.issuedDate).toMatchObject({ band: 'headerRight' });
    expect(f.issuedDate!.spans[0].text).toMatch(/ngày 11 tháng 12 năm 2025/);
    // The "V/v …" under the number, over as many lines as it takes.
    expect(f.subject).toMatchObject({ band: 'headerLeft' });
    expect(f.subject!.spans.length).toBeGreaterThanOrEqual(1);
    expect(f.signer).toMatchObject({ band: 'closingRight' });
    expect(f.signer!.spans[0].text).toContain('Vũ Chiến Thắng');
    // A công văn has no title line: its type is not in the document.
    expect(f.typeName).toBeUndefined();
    // Placed on the page: the number in the top left quarter, the date to the right of it, the signer below both.
    const n = f.notation!.spans[0];
    expect(n.page).toBe(0);
    expect(n.y).toBeGreaterThan(page.height * 0.7);
    expect(n.x1).toBeLessThan(page.width * 0.55);
    expect(f.issuedDate!.spans[0].x0).toBeGreaterThan(page.width * 0.4);
    expect(f.signer!.spans[0].y).toBeLessThan(n.y);
  });

  it('boxes a two-line issuer and a title of several lines (HĐND Vĩnh Long 251/BC-HĐND)', async () => {
    const { blocks } = await read('bc-hdnd-vinhlong-251.pdf');
    const f = fieldSources(blocks, {
      issuer: 'Hội đồng nhân dân tỉnh Vĩnh Long',
      typeName: 'Báo cáo',
      subject:
        'Thẩm tra dự thảo Nghị quyết Ban hành quy định chính sách hỗ trợ đào tạo cán bộ, công chức; thu hút nguồn nhân lực chất lượng cao tỉnh Vĩnh Long giai đoạn 2026 - 2030',
      notation: '999/BC-HĐND',
    });
    expect(f.issuer!.spans.map((s) => s.text)).toEqual(['HỘI ĐỒNG NHÂN DÂN', 'TỈNH VĨNH LONG']);
    expect(f.typeName).toMatchObject({ band: 'title' });
    expect(f.subject).toMatchObject({ band: 'title' });
    expect(f.subject!.spans.length).toBeGreaterThan(1);
    // A number the document does not carry (a clerk's typo) is found nowhere.
    expect(f.notation).toBeUndefined();
  });

  it('reads text without bands line by line (a mail body, a DOCX without header)', () => {
    const f = fieldSources(textBlocks('Kính gửi: Sở Tài chính\nCông văn số 12/UBND-VX ngày 3/11/2026\nvề việc rà soát'), {
      notation: '12/UBND-VX',
      issuedDate: '2026-11-03',
    });
    expect(f.notation).toMatchObject({ band: null, spans: [{ line: 1 }] });
    expect(f.issuedDate!.spans[0].line).toBe(1);
    const rows = rowBlocks([
      {
        width: 595,
        height: 842,
        rows: [
          {
            page: 0,
            y: 700,
            size: 12,
            bold: false,
            italic: false,
            style: '',
            cells: [{ text: 'Số: 7/TB', x0: 50, x1: 120, runs: [] }],
            x0: 50,
            x1: 120,
            stamped: false,
          },
        ],
      },
    ]);
    expect(fieldSources(rows, { notation: '7/TB' }).notation!.spans[0]).toMatchObject({ page: 0, x0: 50, x1: 120, y: 700, size: 12 });
  });
});
