import { describe, expect, it } from 'vitest';
import { extractMessageId } from './header.ts';

describe('Message-ID read at accept time', () => {
  it('is stored clean: no NUL or control characters, which the database would refuse for the whole batch', () => {
    expect(extractMessageId(Buffer.from('Subject: x\r\nMessage-ID: <a\u0000b\u0001c@example.gov.vn>\r\n\r\n'))).toBe('<abc@example.gov.vn>');
    expect(extractMessageId(Buffer.from('Message-ID: \u0000\u0007\r\n\r\n'))).toBeNull();
    expect(extractMessageId(Buffer.from('Message-ID:\r\n <folded@example.gov.vn>\r\n\r\n'))).toBe('<folded@example.gov.vn>');
  });
});
