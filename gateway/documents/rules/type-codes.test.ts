import { describe, expect, it } from 'vitest';
import { DOC_TYPES, typeByCode, typeByName } from './type-codes.ts';

describe('Decree 30 type codes', () => {
  it('has every code of Appendix III plus the legal types', () => {
    const codes = 'NQ QĐ CT QC QYĐ TC TB HD CTr KH PA ĐA DA BC BB TTr HĐ CĐ BGN BTT GUQ GM GGT GNP PG PC PB SY TS SL NĐ TT TTLT'.split(' ');
    for (const c of codes) expect(typeByCode(c)?.code, c).toBe(c);
    expect(DOC_TYPES.find((t) => t.code === 'CV')?.name).toBe('Công văn');
  });

  it('maps names in any case and tone placement back to their type', () => {
    expect(typeByName('QUYẾT ĐỊNH')?.code).toBe('QĐ');
    expect(typeByName('Bản thoả thuận')?.code).toBe('BTT');
    expect(typeByName('Thông tư liên tịch')?.code).toBe('TTLT');
    expect(typeByName('Văn bản')).toBeUndefined();
  });

  it('accepts a code typed without Đ only when unambiguous', () => {
    expect(typeByCode('QD')?.code).toBe('QĐ');
    expect(typeByCode('CD')?.code).toBe('CĐ');
    expect(typeByCode('HD')?.code).toBe('HD');
    expect(typeByCode('UBND')).toBeUndefined();
  });
});
