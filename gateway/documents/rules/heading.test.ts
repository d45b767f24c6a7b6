import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { findHeading, findPrefixedSummary, findTitleHeading, headingType, readSummary } from './heading.ts';
import { foldSameLength } from '../text.ts';

const h = (line: string) => headingType(line, foldSameLength(line))?.code;

describe('type heading', () => {
  it('recognises every type name in capitals, including old tone placement', () => {
    expect(h('CHỈ THỊ')).toBe('CT');
    expect(h('QUYẾT ĐỊNH')).toBe('QĐ');
    expect(h('THÔNG TƯ LIÊN TỊCH')).toBe('TTLT');
    expect(h('BẢN THOẢ THUẬN')).toBe('BTT');
    expect(h('GIẤY UỶ QUYỀN')).toBe('GUQ');
  });

  it('ignores the enacting word "QUYẾT ĐỊNH:" and mixed-case mentions', () => {
    expect(h('QUYẾT ĐỊNH:')).toBeUndefined();
    expect(h('Chỉ thị')).toBeUndefined();
  });

  it('finds the heading after the header', () => {
    const doc = docFromLines(['Số: 11/2005/CT-UBND', 'Bến Tre, ngày 08 tháng 06 năm 2005', 'CHỈ THỊ', 'VỀ VIỆC ĐẨY MẠNH ỨNG DỤNG']);
    expect(findHeading(doc)).toMatchObject({ index: 2 });
  });
});

describe('heading and summary on one line', () => {
  it('splits "CHỈ THỊ VỀ VIỆC …" of a flattened web copy', () => {
    const doc = docFromLines(['Số: 11/2005/CT-UBND', 'CHỈ THỊ VỀ VIỆC ĐẨY MẠNH TRIỂN KHAI ỨNG DỤNG', 'Ngày 28/6/2002, UBND tỉnh']);
    const h = findHeading(doc);
    expect(h).toMatchObject({ index: 1, inline: 8 });
    expect(h?.type.code).toBe('CT');
    expect(readSummary(doc, 1, true, h!.inline!)?.text).toBe('ĐẨY MẠNH TRIỂN KHAI ỨNG DỤNG');
  });

  it('does not split a sentence that starts with a type name', () => {
    expect(findHeading(docFromLines(['Chỉ thị về việc này đã được ban hành']))).toBeNull();
  });
});

describe('summary', () => {
  it('strips "VỀ VIỆC" and stops where mixed-case body text begins', () => {
    const doc = docFromLines(['CHỈ THỊ', 'VỀ VIỆC ĐẨY MẠNH TRIỂN KHAI', 'CÁC ỨNG DỤNG TIN HỌC', 'Ngày 28/6/2002, UBND tỉnh đã có Quyết định']);
    expect(readSummary(doc, 1, false)).toMatchObject({ text: 'ĐẨY MẠNH TRIỂN KHAI CÁC ỨNG DỤNG TIN HỌC', end: 3 });
  });

  it('joins a broken V/v line of a công văn and stops at "Kính gửi"', () => {
    const doc = docFromLines(['Số: 1234/UBND-VX', 'V/v báo cáo tình hình triển khai chữ ký', 'số chuyên dùng Chính phủ', 'Kính gửi: Các sở, ban, ngành']);
    const s = findPrefixedSummary(doc, 0, 4);
    expect(s).toMatchObject({ text: 'báo cáo tình hình triển khai chữ ký số chuyên dùng Chính phủ', vv: true });
  });

  it('continues after a dangling word but not into a body paragraph', () => {
    const doc = docFromLines(['KẾ HOẠCH', 'Triển khai Chỉ thị số 15/CT-TTg của', 'Thủ tướng Chính phủ', 'Sở Y tế xây dựng kế hoạch như sau']);
    expect(readSummary(doc, 1, false)?.text).toBe('Triển khai Chỉ thị số 15/CT-TTg của Thủ tướng Chính phủ');
  });

  it('in PDF text, uses paragraph breaks instead', () => {
    const doc = {
      ...docFromLines(['BÁO CÁO', 'Hợp tác giữa thành phố Cần Thơ và Tập đoàn', 'Công nghiệp - Viễn thông Quân đội', 'Hai bên thống nhất'], true),
      breakBefore: [false, false, false, true],
    };
    expect(readSummary(doc, 1, false)?.text).toBe('Hợp tác giữa thành phố Cần Thơ và Tập đoàn Công nghiệp - Viễn thông Quân đội');
  });

  it('does not take "Căn cứ" for a summary', () => {
    expect(readSummary(docFromLines(['QUYẾT ĐỊNH', 'Căn cứ Luật Tổ chức chính quyền địa phương']), 1, false)).toBeNull();
  });
});

describe('biên bản heading', () => {
  it('names the kind of record on its own line', () => {
    const doc = docFromLines(['Lào Cai, ngày 21 tháng 8 năm 2026', 'BIÊN BẢN KIỂM TRA THỰC ĐỊA', 'Thực hiện ý kiến chỉ đạo']);
    expect(findHeading(doc)).toMatchObject({ index: 1, type: { code: 'BB' } });
    expect(findHeading(docFromLines(['Biên bản kiểm tra thực địa ngày 01/3/2022']))).toBeNull();
  });
});

describe('heading at the top of a laid-out title block', () => {
  it('reads a type name with the trích yếu run on in capitals (the investment-law form)', () => {
    // qd-ubnd-laocai-2170.pdf: "QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ / ĐỒNG THỜI CHẤP THUẬN NHÀ ĐẦU TƯ".
    const line = 'QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ';
    const h = findTitleHeading(line);
    expect(h?.type.code).toBe('QĐ');
    expect(line.slice(h?.inline ?? 0)).toBe('CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ');
    // Flattened text does not take such a line for a heading: it may be a sentence of the body.
    expect(findHeading(docFromLines([line]))).toBeNull();
  });

  it('still refuses the enacting word and lines not in capitals', () => {
    expect(findTitleHeading('QUYẾT ĐỊNH:')).toBeNull();
    expect(findTitleHeading('Quyết định chấp thuận chủ trương đầu tư')).toBeNull();
    expect(findTitleHeading('QUYẾT ĐỊNH')?.inline).toBeNull();
  });
});

describe('heading of a joint document', () => {
  it('takes "HƯỚNG DẪN LIÊN NGÀNH" for the whole heading, nothing run on', () => {
    const h = findTitleHeading('HƯỚNG DẪN LIÊN NGÀNH');
    expect(h?.type.code).toBe('HD');
    expect(h?.inline).toBeNull();
  });
});
