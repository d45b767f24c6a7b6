import { DrizzleQueryError } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeError, errorText, MAX_ERROR_TEXT, PermanentError, registerDatabaseErrorClass, TransientError } from './errors.ts';
import { LimitExceeded, limitReasonVi, outcomeReasonVi } from './limits.ts';

function pgError(code: string, message: string): Error {
  const err = new pg.DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

describe('typed errors', () => {
  registerDatabaseErrorClass(pg.DatabaseError);

  it('takes code and permanence from the error classes', () => {
    expect(describeError(new PermanentError('mime-unreadable', 'bad'))).toEqual({ code: 'mime-unreadable', message: 'bad', permanent: true });
    expect(describeError(new TransientError('blob-read', 'later'))).toEqual({ code: 'blob-read', message: 'later', permanent: false });
    const limit = new LimitExceeded('mime-parts', 1000, 1001, 'more than 1000 MIME parts');
    expect(describeError(limit)).toEqual({ code: 'limit:mime-parts', message: 'more than 1000 MIME parts', permanent: true });
    expect(describeError(new Error('who knows'))).toEqual({ code: 'internal', message: 'who knows', permanent: false });
  });

  it('decides database errors by SQLSTATE class: data exceptions are permanent, connection loss is not', () => {
    expect(describeError(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))).toMatchObject({ code: 'db:22021', permanent: true });
    expect(describeError(pgError('08006', 'connection failure'))).toMatchObject({ code: 'db:08006', permanent: false });
    expect(describeError(pgError('40001', 'could not serialize access'))).toMatchObject({ permanent: false });
  });

  it('never repeats the query parameters Drizzle puts in its message (mail text, NUL bytes and all)', () => {
    const params = ['ab\u0000cd', 'x'.repeat(100_000)];
    const wrapped = new DrizzleQueryError(
      'update inbound_messages set subject = $1',
      params,
      pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'),
    );
    const info = describeError(wrapped);
    expect(info).toEqual({ code: 'db:22021', message: 'invalid byte sequence for encoding "UTF8": 0x00', permanent: true });
    expect(errorText(info)).toBe('db:22021: invalid byte sequence for encoding "UTF8": 0x00');
  });

  it('bounds and cleans any message it records', () => {
    const info = describeError(new Error(`a\u0000b${'y'.repeat(5000)}`));
    expect(info.message.length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    expect(info.message.startsWith('ab')).toBe(true);
  });

  it('gives the clerk a Vietnamese reason naming the outcome', () => {
    expect(limitReasonVi('pdf-inflated-bytes', 33554432, 'bom.pdf')).toMatch(/^Tệp PDF "bom.pdf" .*\(limit:pdf-inflated-bytes\)$/);
    expect(new LimitExceeded('mime-depth', 32, 33, 'deep').reasonVi()).toContain('(limit:mime-depth)');
    expect(outcomeReasonVi('limit:header-bytes', 'x', 262144, null)).toContain('262.144');
    expect(outcomeReasonVi('mime-unreadable', 'bad boundary')).toMatch(/^Không đọc được cấu trúc MIME.*bad boundary.*\(mime-unreadable\)$/);
  });
});
