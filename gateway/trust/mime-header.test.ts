import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEADER_SEARCH_BYTES, parseEntity } from './mime.ts';

const MiB = 1024 * 1024;

describe("parseEntity finds the header's end without reading the body", () => {
  afterEach(() => vi.restoreAllMocks());

  /** The lengths of the buffers parseEntity searched with indexOf. */
  function searched(raw: Buffer): { lengths: number[]; headers: string[]; body: number } {
    const spy = vi.spyOn(Buffer.prototype, 'indexOf');
    const e = parseEntity(raw);
    const lengths = spy.mock.contexts.map((b) => (b as Buffer).length);
    spy.mockRestore();
    return { lengths, headers: [...e.headers.keys()], body: e.body.length };
  }

  it('a CRLF entity with a 4 MiB body: only its first 64 KiB searched', () => {
    const head = 'Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n';
    const raw = Buffer.concat([Buffer.from(head), Buffer.alloc(4 * MiB, 'QUJDRA==\r\n')]);
    const r = searched(raw);
    expect(r.headers).toEqual(['content-type', 'content-transfer-encoding']);
    expect(r.body).toBe(4 * MiB);
    // Searched over the whole entity, "\n\n" (absent from CRLF mail) read all 4 MiB.
    expect(Math.max(...r.lengths)).toBeLessThanOrEqual(HEADER_SEARCH_BYTES);
  });

  it('an LF entity too, and a header longer than the first prefix is still found whole', () => {
    const lfRaw = Buffer.concat([Buffer.from('Content-Type: text/plain\n\n'), Buffer.alloc(2 * MiB, 'abc\n')]);
    const r = searched(lfRaw);
    expect([r.headers, r.body]).toEqual([['content-type'], 2 * MiB]);
    expect(Math.max(...r.lengths)).toBeLessThanOrEqual(HEADER_SEARCH_BYTES);
    const long = `X-Long: ${'a'.repeat(100 * 1024)}\r\nSubject: s\n\nbody\r\n\r\nmore`;
    const e = parseEntity(Buffer.from(long));
    expect([...e.headers.keys()]).toEqual(['x-long', 'subject']);
    expect(e.body.toString()).toBe('body\r\n\r\nmore');
    expect(parseEntity(Buffer.from('Subject: only a header')).body.length).toBe(0);
  });
});
