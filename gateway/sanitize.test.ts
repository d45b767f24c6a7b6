import { describe, expect, it, vi } from 'vitest';
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

  it('reads a clean stage result without building entry lists, and copies a dirty one in its key order', () => {
    const entries = vi.spyOn(Object, 'entries');
    try {
      const clean = { notation: '11902/BNV-TCPCP', fields: { type: 'Công văn', signer: null, recipients: ['UBND tỉnh'] }, n: 3 };
      expect(cleanDeep(clean)).toBe(clean);
      expect(entries).not.toHaveBeenCalled();
    } finally {
      entries.mockRestore();
    }
    const dirty = { a: 1, b: { c: 'x' }, 'd\u0000': 'y', e: 'z\u0001', f: [1] };
    const out = cleanDeep(dirty);
    expect(Object.keys(out)).toEqual(['a', 'b', 'd', 'e', 'f']);
    expect(out).toEqual({ a: 1, b: { c: 'x' }, d: 'y', e: 'z', f: [1] });
    expect(out.b).toBe(dirty.b);
    // A "__proto__" key (JSON.parse makes one) stays an own key of the copy, not its prototype.
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "s": "a\\u0000"}') as Record<string, unknown>;
    const copy = cleanDeep(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 's']);
    expect(copy.s).toBe('a');
  });
});
