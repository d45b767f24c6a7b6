import { describe, expect, it } from 'vitest';
import { cleanDeep, cleanField, cleanText, needsCleaning } from './sanitize.ts';

describe('cleaning mail text', () => {
  it('removes NUL and control characters from fields; TAB, CR and LF become spaces', () => {
    expect(cleanField('Công văn\u0000 số\u0007 25')).toBe('Công văn số 25');
    expect(cleanField('a\tb\r\nc')).toBe('a b  c');
    expect(cleanField('x\u007f\u0085\u009fy')).toBe('xy');
    expect(cleanField(null)).toBeNull();
    expect(cleanField(undefined)).toBeNull();
  });

  it('keeps line breaks and tabs in text', () => {
    expect(cleanText('dòng 1\r\n\tdòng\u0000 2\u000b')).toBe('dòng 1\r\n\tdòng 2');
  });

  it('replaces lone surrogates with U+FFFD and keeps valid pairs', () => {
    expect(cleanField('\ud800A')).toBe('\ufffdA');
    expect(cleanField('A\udc00')).toBe('A\ufffd');
    expect(cleanText('😀 ok')).toBe('😀 ok');
    expect(cleanText('\udc00\ud800')).toBe('\ufffd\ufffd');
  });

  it('returns the same string when nothing needs cleaning (the hot path allocates nothing)', () => {
    const s = 'Ủy ban nhân dân tỉnh Lâm Đồng <vanthu@vpubnd.lamdong.gov.vn>';
    expect(cleanField(s)).toBe(s);
    expect(needsCleaning(s)).toBe(false);
    expect(needsCleaning('a\u0000')).toBe(true);
  });

  it('cleans every string and key of a value on its way into jsonb, leaving clean values untouched', () => {
    const clean = { a: ['x', { b: 1 }], when: new Date(0) };
    expect(cleanDeep(clean)).toBe(clean);
    const dirty = { subject: 'a\u0000b', list: ['ok', '\ud800'], nested: { 'k\u0000': 'v' }, n: 3, none: null };
    expect(cleanDeep(dirty)).toEqual({ subject: 'ab', list: ['ok', '\ufffd'], nested: { k: 'v' }, n: 3, none: null });
    expect(JSON.stringify(cleanDeep(dirty))).not.toMatch(/\\u0000|\\ud800/);
  });
});
