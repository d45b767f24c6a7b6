import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { findNotationLine, parseNotation } from './notation.ts';

describe('parseNotation', () => {
  it('reads an administrative notation with its type code', () => {
    const n = parseNotation('25/CT-UBND');
    expect(n).toMatchObject({ number: '25', year: null, notation: '25/CT-UBND' });
    expect(n?.type?.code).toBe('CT');
  });

  it('reads a legal normative notation with the year', () => {
    const n = parseNotation('11/2005/CT-UBND');
    expect(n).toMatchObject({ number: '11', year: '2005', notation: '11/2005/CT-UBND' });
    expect(parseNotation('30/2020/NĐ-CP')?.type?.name).toBe('Nghị định');
    expect(parseNotation('01/2011/TT-BNV')?.type?.code).toBe('TT');
  });

  it('treats a notation without a type code as công văn', () => {
    const n = parseNotation('1234/UBND-VX');
    expect(n?.type?.code).toBe('CV');
    expect(n?.notation).toBe('1234/UBND-VX');
    expect(parseNotation('56/STTTT-VP')?.type?.name).toBe('Công văn');
  });

  it('normalises spaces, dashes and a code typed without Đ', () => {
    expect(parseNotation('2309 / QĐ – UBND')?.notation).toBe('2309/QĐ-UBND');
    expect(parseNotation('12/QD-UBND')?.notation).toBe('12/QĐ-UBND');
    expect(parseNotation('08/CTr-UBND')?.type?.code).toBe('CTr');
    expect(parseNotation('17/TTr-STC')?.type?.name).toBe('Tờ trình');
  });

  it('keeps mixed-case codes distinct (HD Hướng dẫn vs HĐ Hợp đồng)', () => {
    expect(parseNotation('5/HD-SNV')?.type?.name).toBe('Hướng dẫn');
    expect(parseNotation('5/HĐ-SNV')?.type?.name).toBe('Hợp đồng');
  });

  it('accepts a blank number on an unnumbered draft', () => {
    const n = parseNotation('     /UBND-VX');
    expect(n?.number).toBeNull();
  });

  it('keeps a unit in brackets and reads the Party form (number-type/issuer)', () => {
    expect(parseNotation('409 /TTr-CAT(PC04)')?.notation).toBe('409/TTr-CAT(PC04)');
    const party = parseNotation('156 -CV/TĐTN-BCTĐ&TTN');
    expect(party).toMatchObject({ number: '156', notation: '156-CV/TĐTN-BCTĐ&TTN' });
    expect(party?.type?.code).toBe('CV');
    expect(parseNotation('15-CT/TW')?.type?.name).toBe('Chỉ thị');
  });

  it('rejects dates and fractions', () => {
    expect(parseNotation('15/6')).toBeNull();
    expect(parseNotation('ngày 15/6/2024')).toBeNull();
  });
});

describe('findNotationLine', () => {
  it('finds the "Số:" line and ignores the website metadata "Số hiệu:"', () => {
    const doc = docFromLines(['Số hiệu: 11/2005/CT-UBND Loại văn bản: Chỉ thị', 'ỦY BAN NHÂN DÂN', 'Số: 11/2005/CT-UBND']);
    expect(findNotationLine(doc)?.index).toBe(2);
  });

  it('returns what follows the notation on the same line', () => {
    const doc = docFromLines(['SỐ: 123/UBND-KT Bến Tre, ngày 3 tháng 4 năm 2024']);
    const found = findNotationLine(doc);
    expect(found?.notation.notation).toBe('123/UBND-KT');
    expect(found?.rest).toBe('Bến Tre, ngày 3 tháng 4 năm 2024');
  });

  it('reads "Số:" with its value on a following line, past the column beside it', () => {
    const doc = docFromLines(['SỞ NỘI VỤ', 'Số:', 'Lâm Đồng, ngày 05 tháng 3 năm 2024', '05/QĐ-SNV']);
    expect(findNotationLine(doc)?.notation.notation).toBe('05/QĐ-SNV');
    expect(findNotationLine(docFromLines(['Số: 181', '/BC-SNV']))?.notation.notation).toBe('181/BC-SNV');
  });

  it('keeps a letter added to the number in the register (118a/BC-SNV), on one line or two', () => {
    expect(parseNotation('118a/BC-SNV')).toMatchObject({ number: '118a', notation: '118a/BC-SNV' });
    expect(findNotationLine(docFromLines(['Số:239a /BC-SNV Vĩnh Long, ngày 24 tháng 3 năm 2026']))?.notation.notation).toBe('239a/BC-SNV');
    expect(findNotationLine(docFromLines(['Số: 118a', '/BC-SNV']))?.notation.notation).toBe('118a/BC-SNV');
    // A word before the slash is still not a number.
    expect(parseNotation('Điều ab/BC-SNV')?.number ?? null).toBeNull();
  });

  it('reads only the lines it is given (the header), never a notation quoted below', () => {
    const doc = docFromLines(['Số:', 'QUYẾT ĐỊNH', 'số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020']);
    expect(findNotationLine(doc, 2)).toBeNull();
  });
});

describe('findNotationLine: a Party number after a bare "Số"', () => {
  it('reads "Số 34 -NQ/TU" and leaves the place and date that follow on its line', () => {
    const doc = docFromLines(['TỈNH ỦY LÀO CAI', 'Số 34 -NQ/TU Lào Cai, ngày 27 tháng 12 năm 2025', 'NGHỊ QUYẾT']);
    const line = findNotationLine(doc, 3);
    expect(line?.index).toBe(1);
    expect(line?.notation.notation).toBe('34-NQ/TU');
    expect(line?.rest).toBe('Lào Cai, ngày 27 tháng 12 năm 2025');
  });
});
