import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { localityOf, readWebMeta } from './webmeta.ts';

describe('website attribute table', () => {
  it('reads several keys on one line (seed 000)', () => {
    const meta = readWebMeta(
      docFromLines([
        'Số hiệu: 11/2005/CT-UBND Loại văn bản: Chỉ thị',
        'Nơi ban hành: Tỉnh Bến Tre Người ký: Nguyễn Thị Thanh Hà',
        'Ngày ban hành: 08/06/2005 Ngày hiệu lực: Đã biết',
      ]),
    );
    expect(meta).toEqual({ notation: '11/2005/CT-UBND', typeName: 'Chỉ thị', issuer: 'Tỉnh Bến Tre', signer: 'Nguyễn Thị Thanh Hà', date: '08/06/2005' });
  });

  it('reads the table form with the value on the next line (seed 002)', () => {
    const meta = readWebMeta(docFromLines(['Số hiệu', '25/CT-UBND', 'Cơ quan ban hành', 'Tỉnh Bình Thuận', 'Người ký', 'Lê Tiến Phương']));
    expect(meta).toMatchObject({ notation: '25/CT-UBND', issuer: 'Tỉnh Bình Thuận', signer: 'Lê Tiến Phương' });
    expect(localityOf(meta.issuer)).toBe('tỉnh Bình Thuận');
  });
});
