import { describe, expect, it } from 'vitest';
import {
  foldDiacritics,
  foldSameLength,
  isUpperLine,
  Scratch,
  letterWords,
  modernToneMarks,
  normalizeVietnamese,
  trimPunctuation,
  upperRatio,
} from './text.ts';

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

  it('folds plain text unit by unit exactly as the normalization forms do: every unit of its ranges, and every pair', () => {
    const reference = (t: string) =>
      t
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .replace(/[đĐðÐ]/g, 'd')
        .toLowerCase()
        .normalize('NFC');
    const units: string[] = [];
    for (let c = 0; c < 0x2070; c++) if (c < 0x300 || (c >= 0x1e00 && c < 0x1f00) || c >= 0x2000) units.push(String.fromCharCode(c));
    const wrong: string[] = [];
    for (const a of units) {
      if (foldDiacritics(a) !== reference(a)) wrong.push(a);
      for (const b of units) if (foldDiacritics(a + b) !== reference(a + b)) wrong.push(a + b);
    }
    // Text with other units (combining marks, Greek final sigma, Hangul, surrogates) takes the normalization forms.
    // Longer than the kept buffer (a buffer of its own), and a short one after it.
    for (const t of ['Hạnh phúc – Độc lập '.repeat(5_000), 'Ðà Lạt']) if (foldDiacritics(t) !== reference(t)) wrong.push(t.slice(0, 20));
    for (const t of ['Quyết định'.normalize('NFD'), 'ΟΔΟΣ ΣΑ', '한국 ᄀ\u1161', 'Ký 😀 \ud83d', 'İSTANBUL ǅ ß ẞ', '\u2000\u2001 ŉ ǰ']) {
      if (foldDiacritics(t) !== reference(t)) wrong.push(t);
    }
    expect(wrong).toEqual([]);
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
  it('counts upper-case letters as converting each character did: every BMP unit, pairs, lone surrogates', () => {
    /** The definition upperRatio had, character by character (for…of: a surrogate pair is one). */
    const reference = (line: string) => {
      let letters = 0;
      let upper = 0;
      for (const ch of line) {
        if (ch.toLowerCase() !== ch.toUpperCase()) {
          letters++;
          if (ch === ch.toUpperCase()) upper++;
        }
      }
      return letters === 0 ? 0 : upper / letters;
    };
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      expect(upperRatio(ch)).toBe(reference(ch));
      expect(upperRatio(`A${ch}b`)).toBe(reference(`A${ch}b`));
    }
    for (const line of ['𝐀𝐁c', '𐐀𐐨 (Deseret)', 'lone \ud801 and \udc00 halves', '\ud801\ud801\udc00', 'İSTANBUL ǅ ß ŉ', '', '1234 —']) {
      expect(upperRatio(line)).toBe(reference(line));
    }
  });
  it('reduces a folded line to its words as the regular expressions did', () => {
    const reference = (f: string) =>
      f
        .replace(/[^a-z ]+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    const lines = [
      '',
      ' ',
      'quyet dinh',
      '  quyet   dinh: ',
      'cong hoa xa hoi chu nghia viet nam',
      'doc lap - tu do - hanh phuc',
      'so: 12/qd-ubnd',
      '--',
      'a1b2c',
      '\tx\u00a0y\n',
      'ÀBC abc',
    ];
    let seed = 7;
    const alphabet = 'ab z-:1\t\u00a0A.đ';
    for (let k = 0; k < 500; k++) {
      let s = '';
      for (let i = 0; i < k % 23; i++) s += alphabet[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % alphabet.length];
      lines.push(s);
    }
    for (const f of lines) expect(letterWords(f)).toBe(reference(f));
  });
  it('trims surrounding punctuation only', () => {
    expect(trimPunctuation('- Lưu: VT, TTHT.')).toBe('Lưu: VT, TTHT');
    expect(trimPunctuation('- Thường trực TU (b/c);')).toBe('Thường trực TU (b/c)');
  });

  it('keeps one fold buffer of at most 64 Ki units; a longer text gets its own', () => {
    const scratch = new Scratch();
    const short = scratch.units(1000);
    expect(scratch.units(800)).toBe(short);
    const grown = scratch.units(40_000);
    expect(grown.length).toBeLessThanOrEqual(65_536);
    const long = scratch.units(200_000);
    expect(long.length).toBe(200_000);
    expect(scratch.units(200_000)).not.toBe(long);
    expect(scratch.units(50_000)).toBe(scratch.units(60_000));
    // The folds over a long text are whole either way.
    const text = 'Ủy ban nhân dân tỉnh Lâm Đồng. '.repeat(4000);
    expect(foldDiacritics(text)).toBe('uy ban nhan dan tinh lam dong. '.repeat(4000));
    expect(foldSameLength(text)).toBe(foldSameLength('Ủy ban nhân dân tỉnh Lâm Đồng. ').repeat(4000));
  });
});
