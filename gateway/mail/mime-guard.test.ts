import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { deepNesting, hugeHeader, manyParts, nulSubject, withAttachment } from '../../tests/helpers/hostile.ts';
import { PROJECT_ROOT } from '../config/load.ts';
import { LimitExceeded } from '../limits.ts';
import { checkMime, DEFAULT_MIME_LIMITS, MimeGuard, MimeGuardStream } from './mime-guard.ts';

function limitOf(fn: () => unknown): LimitExceeded {
  try {
    fn();
  } catch (err) {
    if (err instanceof LimitExceeded) return err;
    throw err;
  }
  throw new Error('no limit was hit');
}

/** Feeds the message in chunks of `size` bytes. */
function chunked(raw: Buffer, size: number) {
  const g = new MimeGuard(DEFAULT_MIME_LIMITS);
  for (let i = 0; i < raw.length; i += size) g.push(raw.subarray(i, i + size));
  return g.end();
}

describe('MIME guard', () => {
  it('passes every message of the corpus, whatever the chunking', () => {
    const dir = path.join(PROJECT_ROOT, 'tests', 'corpus', 'cases');
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const raw = readFileSync(path.join(dir, f));
      const whole = checkMime(raw);
      expect(chunked(raw, 7)).toEqual(whole);
      expect(whole.parts).toBeLessThan(50);
    }
  });

  it('counts parts, depth and attachments', () => {
    const raw = withAttachment('x', 'a.pdf', 'application/pdf', Buffer.from('%PDF-1.4'));
    expect(checkMime(raw)).toMatchObject({ parts: 3, depth: 1, attachments: 1 });
    expect(checkMime(deepNesting(5))).toMatchObject({ parts: 6, depth: 5 });
    expect(checkMime(manyParts(10))).toMatchObject({ parts: 11, depth: 1 });
  });

  it('descends into an embedded message and back out at the enclosing delimiter', () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        'Subject: inner',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain',
        '',
        'a',
        '--inner--',
        '--outer',
        'Content-Type: text/plain',
        'Content-Disposition: attachment; filename=x.txt',
        '',
        'b',
        '--outer--',
        '',
      ].join('\r\n'),
    );
    expect(checkMime(raw)).toEqual({ parts: 5, depth: 3, attachments: 1, headerBytes: expect.any(Number) });
  });

  it('refuses a header block over the limit while it streams, even one that never ends', () => {
    const e = limitOf(() => chunked(hugeHeader(10 * 1024 * 1024), 64 * 1024));
    expect(e.code).toBe('limit:header-bytes');
    expect(e.observed).toBeLessThanOrEqual(DEFAULT_MIME_LIMITS.headerBytes + 64 * 1024);
    const g = new MimeGuard({ ...DEFAULT_MIME_LIMITS, headerBytes: 1000 });
    expect(() => g.push(Buffer.from(`Subject: ${'a'.repeat(2000)}`))).toThrow(LimitExceeded); // no line end yet
  });

  it('stops at the first part over the limit', () => {
    const e = limitOf(() => checkMime(manyParts(10_000)));
    expect(e).toMatchObject({ code: 'limit:mime-parts', max: 1000, observed: 1001 });
    expect(limitOf(() => checkMime(manyParts(20), { ...DEFAULT_MIME_LIMITS, mimeParts: 20 })).code).toBe('limit:mime-parts');
    expect(checkMime(manyParts(19), { ...DEFAULT_MIME_LIMITS, mimeParts: 20 }).parts).toBe(20);
  });

  it('stops at the first level over the limit', () => {
    const e = limitOf(() => checkMime(deepNesting(1000)));
    expect(e).toMatchObject({ code: 'limit:mime-depth', max: 32, observed: 33 });
    expect(checkMime(deepNesting(32)).depth).toBe(32);
    expect(limitOf(() => checkMime(deepNesting(33))).observed).toBe(33);
  });

  it('follows the first Content-Type of a header block, as mailparser does', () => {
    const parts = Array.from({ length: 30 }, () => '--fz\r\n\r\nx\r\n').join('');
    const raw = Buffer.from(`Content-Type: multipart/mixed; boundary="fz"\r\nContent-Type: text/plain\r\n\r\n${parts}`);
    expect(limitOf(() => checkMime(raw, { ...DEFAULT_MIME_LIMITS, mimeParts: 20 })).code).toBe('limit:mime-parts');
  });

  it('counts attachments by file name or disposition', () => {
    const e = limitOf(() => checkMime(withAttachment('x', 'a.pdf', 'application/pdf', Buffer.from('x')), { ...DEFAULT_MIME_LIMITS, attachments: 0 }));
    expect(e.code).toBe('limit:attachments');
  });

  it('has nothing against control characters (they are cleaned later, not refused)', () => {
    expect(checkMime(nulSubject())).toMatchObject({ parts: 3, attachments: 1 });
  });

  it('as a stream: errors with LimitExceeded and the source is destroyed', async () => {
    const raw = manyParts(5000);
    const source = Readable.from([raw.subarray(0, 100_000), raw.subarray(100_000)]);
    const sink = async (s: AsyncIterable<Buffer>) => {
      for await (const _ of s);
    };
    await expect(pipeline(source, new MimeGuardStream(), sink)).rejects.toBeInstanceOf(LimitExceeded);
    expect(source.destroyed).toBe(true);
  });
});
