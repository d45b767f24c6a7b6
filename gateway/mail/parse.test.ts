import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hugeHeader, manyParts, nulSubject } from '../../tests/helpers/hostile.ts';
import { PermanentError, TransientError } from '../errors.ts';
import { LimitExceeded } from '../limits.ts';
import { DEFAULT_MIME_LIMITS } from './mime-guard.ts';
import { headerPreview, parseMessage } from './parse.ts';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) for (const [k, x] of Object.entries(v)) strings(k, out), strings(x, out);
  return out;
}

describe('parseMessage', () => {
  it('cleans NUL and control characters out of everything it returns, and replaces lone surrogates', async () => {
    const m = await parseMessage(Readable.from([nulSubject()]));
    expect(m.subject).toBe('Công văn số 25/UBND');
    expect(m.from[0]).toEqual({ name: 'Nguyn Vn A', address: 'an@hostile.example' });
    expect(m.replyTo[0].name).toBe('\ufffdA');
    expect(m.attachments.map((a) => a.filename)).toEqual(['bia.txt']);
    expect(m.messageId).toMatch(/^<nul-\w+@hostile\.example>$/);
    const { attachments, ...rest } = m;
    for (const s of strings({ ...rest, attachments: attachments.map(({ content: _c, ...a }) => a) })) {
      expect(CONTROL.test(s.replace(/[\t\r\n]/g, '')), JSON.stringify(s)).toBe(false);
      expect(LONE.test(s), JSON.stringify(s)).toBe(false);
    }
  });

  it('refuses a structure over a limit while streaming, and from a buffer', async () => {
    await expect(parseMessage(Readable.from([manyParts(5000)]))).rejects.toMatchObject({ code: 'limit:mime-parts' });
    await expect(parseMessage(hugeHeader(2 * 1024 * 1024))).rejects.toBeInstanceOf(LimitExceeded);
    await expect(parseMessage(manyParts(30), { ...DEFAULT_MIME_LIMITS, mimeParts: 10 })).rejects.toMatchObject({ code: 'limit:mime-parts', max: 10 });
  });

  it('a source that fails to read is a transient failure', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('EIO: disk gone'));
      },
    });
    const err = await parseMessage(failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'blob-read', permanent: false });
    expect(err).not.toBeInstanceOf(PermanentError);
  });

  it('reads subject and sender of a stopped message from the first bytes of its header only', async () => {
    expect(await headerPreview(hugeHeader(10 * 1024 * 1024))).toEqual({
      subject: 'Thư có phần đầu rất lớn',
      from: [{ name: 'Sở Thử nghiệm', address: 'test@hostile.example' }],
    });
    expect(await headerPreview(nulSubject())).toMatchObject({ subject: 'Công văn số 25/UBND' });
  });

  it('a part with an empty Content-Type header gets the default type, not a crash', async () => {
    const m = await parseMessage(Buffer.from('0\nContent-Type:;boundary=b\n\n--b\nContent-Type:'));
    for (const p of m.parts) expect(typeof p.contentType).toBe('string');
  });
});
