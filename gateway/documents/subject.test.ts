import { describe, expect, it } from 'vitest';
import { extractFromSubject } from './subject.ts';

describe('metadata from a mail subject', () => {
  it('reads "Số … ngày … V/v …"', () => {
    expect(extractFromSubject('Số 88/UBND-KT ngày 05/3/2025 V/v rà soát hạ tầng')).toMatchObject({
      typeCode: 'CV',
      notation: '88/UBND-KT',
      issuedDate: '2025-03-05',
      subject: 'Rà soát hạ tầng',
    });
  });

  it('reads a type name with a marked subject', () => {
    expect(extractFromSubject('HỎA TỐC: Công điện số 05/CĐ-UBND về việc ứng phó bão số 7')).toMatchObject({
      typeCode: 'CĐ',
      urgency: 'hoa_toc',
      subject: 'Ứng phó bão số 7',
    });
  });

  it('ignores replies and subjects that only mention a document', () => {
    expect(extractFromSubject('Re: Công văn số 1234/UBND-VX')).toBeNull();
    expect(extractFromSubject('Góp ý Công văn số 1234/UBND-VX')).toBeNull();
    expect(extractFromSubject('Số liệu tháng 11')).toBeNull();
  });
});
