/**
 * Work the classifier no longer repeats per line or per message (bench/e2e/FINDINGS.md, fourteenth
 * round "the classifier's repeated work"): folds of constant lists and of lines a Doc holds folded
 * already, regular expressions compiled per call, case conversions per character, a regular
 * expression per run. The results themselves are pinned by the rules' own tests and the corpus.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const folds = vi.hoisted(() => ({ inputs: [] as string[] }));
vi.mock('./text.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./text.ts')>();
  return {
    ...actual,
    foldSameLength: (s: string) => {
      folds.inputs.push(s);
      return actual.foldSameLength(s);
    },
  };
});

const { cleanLine, docFromLines, prepareText } = await import('./prepare.ts');
const { findMarks, subjectMarks } = await import('./rules/marks.ts');
const { localityFromPlace } = await import('./fields/common.ts');
const { typeByCode } = await import('./rules/type-codes.ts');
const { headingType } = await import('./rules/heading.ts');
const { isNationalTitle } = await import('./rules/layout.ts');
const { extractFromSubject } = await import('./subject.ts');
const { upperRatio, foldDiacritics, foldSameLength } = await import('./text.ts');
const { buildRows } = await import('./layout/rows.ts');

afterEach(() => {
  vi.restoreAllMocks();
  folds.inputs.length = 0;
});

/** Calls of `new RegExp` (and `RegExp(…)`) while `fn` runs; regular expression literals are not counted. */
function regExpsBuilt(fn: () => void): number {
  const Original = globalThis.RegExp;
  let built = 0;
  globalThis.RegExp = new Proxy(Original, {
    construct(target, args) {
      built++;
      return Reflect.construct(target, args);
    },
    apply(target, self, args) {
      built++;
      return Reflect.apply(target, self, args);
    },
  });
  try {
    fn();
  } finally {
    globalThis.RegExp = Original;
  }
  return built;
}

describe('folds', () => {
  it('findMarks reads the folds the Doc holds: no line is folded again', () => {
    const doc = docFromLines(['ỦY BAN NHÂN DÂN', 'KHẨN', 'MẬT', 'Số: 12/UBND-VX', 'V/v triển khai']);
    folds.inputs.length = 0;
    expect(findMarks(doc)).toEqual({ urgency: 'khan', secrecy: 'mat' });
    expect(folds.inputs).toEqual([]);
  });

  it('localityFromPlace and typeByCode fold what they are given, not their lists each time', () => {
    expect(localityFromPlace('Bình Thuận')).toBe('tỉnh Bình Thuận');
    expect(localityFromPlace('Hà Nội')).toBe('thành phố Hà Nội');
    expect(localityFromPlace('Xóm Chùa')).toBeNull();
    expect(folds.inputs).toEqual(['Bình Thuận', 'Hà Nội', 'Xóm Chùa']);
    folds.inputs.length = 0;
    expect(typeByCode('QD')?.code).toBe('QĐ');
    expect(folds.inputs).toEqual(['QD']);
  });
});

describe('per-call work', () => {
  it('extractFromSubject and subjectMarks compile no regular expression per subject', () => {
    const subject = '[KHẨN] Quyết định số 12/QĐ-UBND ngày 05/3/2024 V/v phê duyệt kế hoạch';
    let fields: ReturnType<typeof extractFromSubject> = null;
    expect(regExpsBuilt(() => (fields = extractFromSubject(subject)))).toBe(0);
    expect(fields).toMatchObject({ notation: '12/QĐ-UBND', typeCode: 'QĐ', issuedDate: '2024-03-05', urgency: 'khan' });
    expect(regExpsBuilt(() => subjectMarks('TỐI MẬT - Báo cáo'))).toBe(0);
    expect(subjectMarks('TỐI MẬT - Báo cáo')).toEqual({ urgency: 'normal', secrecy: 'toi_mat' });
  });

  it('headingType and isNationalTitle reduce a line to its words without String.replace', () => {
    const lines = ['QUYẾT ĐỊNH', 'QUYẾT ĐỊNH:', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'ỦY BAN NHÂN DÂN'];
    const folded = lines.map(foldSameLength);
    const replace = vi.spyOn(String.prototype, 'replace');
    const types = lines.map((l, i) => headingType(l, folded[i])?.code);
    const titles = folded.map(isNationalTitle);
    // The letters-only key was `.replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ')`; typeByName's own replace is not counted.
    const keyed = replace.mock.calls.filter(([re]) => re instanceof RegExp && re.source === '[^a-z ]+').length;
    replace.mockRestore();
    expect(types).toEqual(['QĐ', undefined, undefined, undefined, undefined]);
    expect(titles).toEqual([false, false, true, true, false]);
    expect(keyed).toBe(0);
  });

  it('foldDiacritics folds Vietnamese text without the normalization forms once it has seen its letters', () => {
    const text = 'Kính gửi: Sở Thông tin và Truyền thông — “ĐỘC LẬP”, Ðà Lạt';
    const first = foldDiacritics(text);
    const normalize = vi.spyOn(String.prototype, 'normalize');
    const again = foldDiacritics(`${text} `);
    const calls = normalize.mock.calls.length;
    normalize.mockRestore();
    expect(first).toBe('kinh gui: so thong tin va truyen thong — “doc lap”, da lat');
    expect(again).toBe(`${first} `);
    expect(calls).toBe(0);
  });

  it('upperRatio reads the case of a character it has seen from a table, not by converting it', () => {
    const line = 'CỘNG HÒA XÃ HỘI chủ nghĩa Việt Nam 😀 𝐀';
    const first = upperRatio(line);
    const upper = vi.spyOn(String.prototype, 'toUpperCase');
    const lower = vi.spyOn(String.prototype, 'toLowerCase');
    expect(upperRatio(line)).toBe(first);
    // Only the two characters outside the BMP (surrogate pairs) are converted again.
    expect(upper.mock.calls.length + lower.mock.calls.length).toBeLessThanOrEqual(6);
  });

  it('buildRows tells blank runs without a regular expression per run', () => {
    const test = vi.spyOn(RegExp.prototype, 'test');
    const rows = buildRows([
      { str: 'ỦY BAN', x: 100, y: 780, width: 40, size: 13 },
      { str: ' ', x: 140, y: 780, width: 3, size: 13 },
      { str: 'NHÂN DÂN', x: 143, y: 780, width: 50, size: 13 },
      { str: '   ', x: 100, y: 700, width: 9, size: 13 },
      { str: 'Số: 12/UBND', x: 100, y: 680, width: 60, size: 13 },
    ]);
    expect(rows.map((r) => r.cells.map((c) => c.text))).toEqual([['ỦY BAN NHÂN DÂN'], ['Số: 12/UBND']]);
    const notSpace = test.mock.contexts.filter((re) => (re as RegExp).source === '\\S');
    expect(notSpace).toHaveLength(0);
  });

  it('prepareText leaves clean cells as they are without replacing in them', () => {
    const text = 'ỦY BAN NHÂN DÂN\nSố: 12/UBND-VX\nV/v triển khai kế hoạch\n\nKính gửi: Các sở, ban, ngành';
    const replace = vi.spyOn(String.prototype, 'replace');
    const doc = prepareText(text);
    const perCell = replace.mock.calls.filter(([re]) => re instanceof RegExp && re.source === ' {2,}').length;
    replace.mockRestore();
    expect(doc.lines).toEqual(['ỦY BAN NHÂN DÂN', 'Số: 12/UBND-VX', 'V/v triển khai kế hoạch', 'Kính gửi: Các sở, ban, ngành']);
    expect(perCell).toBe(0);
  });

  it('cleanLine gives what its replacements and trim gave, clean or not', () => {
    const reference = (line: string) =>
      line
        .replace(/[\u00A0\u2000-\u200A\u202F\u3000]/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim();
    const samples = [
      '',
      ' ',
      'a',
      'a b',
      'a  b',
      ' a',
      'a ',
      '\ta',
      'a\n',
      'a\u00a0b',
      'a\u2003\u2003b',
      '\u3000a',
      'a\ufeff',
      '\u2028a',
      'a\u202fb',
      'a \u00a0b',
      'Số: 12',
    ];
    for (const line of samples) expect(cleanLine(line)).toBe(reference(line));
  });
});
