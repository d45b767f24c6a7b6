import { describe, expect, it } from 'vitest';
import { prepareText } from './prepare.ts';

describe('prepareText', () => {
  it('splits web-table rows into cells and drops trailing pipes', () => {
    const doc = prepareText('Số hiệu | 25/CT-UBND |\nỦY BAN NHÂN DÂN |\nSố: 25/CT-UBND |');
    expect(doc.lines).toEqual(['Số hiệu', '25/CT-UBND', 'ỦY BAN NHÂN DÂN', 'Số: 25/CT-UBND']);
  });

  it('drops decorative rules and empty lines but remembers paragraph breaks', () => {
    const doc = prepareText('ỦY BAN NHÂN DÂN TỈNH BẾN TRE\n******\n\nCHỈ THỊ\n\nVỀ VIỆC ĐẨY MẠNH\n-----');
    expect(doc.lines).toEqual(['ỦY BAN NHÂN DÂN TỈNH BẾN TRE', 'CHỈ THỊ', 'VỀ VIỆC ĐẨY MẠNH']);
    expect(doc.breakBefore).toEqual([false, true, true]);
  });

  it('splits the national title off a flattened header line', () => {
    const doc = prepareText('ỦY BAN NHÂN DÂN TỈNH BẾN TRE CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc');
    expect(doc.lines).toEqual(['ỦY BAN NHÂN DÂN TỈNH BẾN TRE', 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc']);
  });

  it('normalises NFD to NFC and keeps folded twins aligned', () => {
    const doc = prepareText('Quyết định  số 12'.normalize('NFD'));
    expect(doc.lines[0]).toBe('Quyết định số 12');
    expect(doc.folded[0]).toBe('quyet dinh so 12');
  });

  it('converts legacy TCVN3 text before anything else (its "ư" is a soft hyphen)', () => {
    const doc = prepareText('Tr\u00adêng häc cña tØnh vµ c¸c huyÖn, thÞ x· trong tØnh');
    expect(doc.legacy).toBe('tcvn3');
    expect(doc.lines[0]).toBe('Trường học của tỉnh và các huyện, thị xã trong tỉnh');
  });
});

describe('prepareText: the Party motto in a flattened header', () => {
  it('cuts "ĐẢNG CỘNG SẢN VIỆT NAM" off the committee it stood beside (also as OCR misreads it)', () => {
    const doc = prepareText('TÍNH ỦY LÀO CAI ĐÁNG CỘNG SẢN VIỆT NAM\nSố 34 -NQ/TU Lào Cai, ngày 27 tháng 12 năm 2025');
    expect(doc.lines.slice(0, 2)).toEqual(['TÍNH ỦY LÀO CAI', 'ĐÁNG CỘNG SẢN VIỆT NAM']);
    expect(doc.folded[0]).toBe('tinh uy lao cai');
  });

  it('reads Latin oi (U+01A3/U+01A2), which some fonts map "ư"/"Ư" to, as ư/Ư', () => {
    // cv-dck-bct-1178.pdf: "V/v hƣớng dẫn", "BỘ CÔNG THƢƠNG" in its text layer.
    const doc = prepareText('BỘ CÔNG TH\u01a2\u01a0NG\nV/v h\u01a3\u1edbng dẫn');
    expect(doc.lines).toEqual(['BỘ CÔNG THƯƠNG', 'V/v hướng dẫn']);
  });
});
