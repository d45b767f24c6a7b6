import { describe, expect, it } from 'vitest';
import { foldDiacritics, foldSameLength, isUpperLine, modernToneMarks, normalizeVietnamese, trimPunctuation } from './text.ts';

describe('normalizeVietnamese', () => {
  it('composes NFD into NFC and collapses white space', () => {
    const nfd = 'Ủy ban  nhân\u00a0dân\ttỉnh\nBến Tre'.normalize('NFD');
    const out = normalizeVietnamese(nfd);
    expect(out).toBe('Ủy ban nhân dân tỉnh Bến Tre');
    expect(out).toBe(out.normalize('NFC'));
  });
});

describe('foldDiacritics', () => {
  it('lower-cases, strips marks and maps đ to d', () => {
    expect(foldDiacritics('ĐỘC LẬP - Tự do - Hạnh phúc')).toBe('doc lap - tu do - hanh phuc');
    expect(foldDiacritics('Quyết định'.normalize('NFD'))).toBe('quyet dinh');
  });

  it('has a length-preserving twin for index-based matching', () => {
    const s = 'Số: 25/CT-UBND, Bình Thuận';
    expect(foldSameLength(s)).toHaveLength(s.length);
    expect(foldSameLength(s)).toBe('so: 25/ct-ubnd, binh thuan');
  });

  it('keeps every unit, its place and its fold: a BOM, surrogates (paired or not), punctuation, long text', () => {
    /** The unit-by-unit fold, written plainly: the reference for the table-driven one. */
    const reference = (text: string) =>
      [...Array(text.length).keys()]
        .map((i) => {
          const c = text[i];
          const f = foldDiacritics(c);
          return f.length === 1 ? f : c.length === 1 ? c.toLowerCase().slice(0, 1) || c : c;
        })
        .map((f, i) => (f.length === 1 ? f : text[i]))
        .join('');
    const cases = [
      '\ufeffCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Số: 12/KH-ĐKT – “Đoàn kiểm tra” … Ðộc lập',
      'Ký số 😀 xong',
      'lone \ud83d surrogate, and \ude00 its pair',
      'İstanbul ǅ ß',
      'Hạnh phúc '.repeat(300),
    ];
    for (const text of cases) {
      expect(foldSameLength(text)).toHaveLength(text.length);
      expect(foldSameLength(text)).toBe(reference(text));
    }
  });
});

describe('modernToneMarks', () => {
  it('moves the mark in open syllables oa/oe/uy', () => {
    expect(modernToneMarks('Uỷ ban hoà giải, khoẻ mạnh, Thuỷ')).toBe('Ủy ban hòa giải, khỏe mạnh, Thủy');
  });
  it('leaves closed syllables and qu- alone', () => {
    expect(modernToneMarks('hoàn thành, quý, khoảng, thuyền')).toBe('hoàn thành, quý, khoảng, thuyền');
  });
});

describe('line helpers', () => {
  it('tells upper-case headings from text', () => {
    expect(isUpperLine('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')).toBe(true);
    expect(isUpperLine('Về việc tăng cường sử dụng văn bản điện tử')).toBe(false);
    expect(isUpperLine('2024')).toBe(false);
  });
  it('trims surrounding punctuation only', () => {
    expect(trimPunctuation('- Lưu: VT, TTHT.')).toBe('Lưu: VT, TTHT');
    expect(trimPunctuation('- Thường trực TU (b/c);')).toBe('Thường trực TU (b/c)');
  });
});
