import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblem, fetchBytes, HttpFetchError } from './http.ts';

describe('fetchBytes', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/big') {
        // Chunked, no length: the limit must stop it while it streams.
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024, 1));
        return res.end();
      }
      if (req.url === '/missing') return res.writeHead(404).end('no');
      res.end(Buffer.from('30030a0100', 'hex'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns the body, and refuses one over the limit while it streams', async () => {
    expect((await fetchBytes(`${base}/ok`)).toString('hex')).toBe('30030a0100');
    const err = await fetchBytes(`${base}/big`, {}, { maxBytes: 100_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpFetchError);
    expect(err).toMatchObject({ code: 'too-large' });
  });

  it('names a refusal by status and a server that does not answer', async () => {
    const status = await fetchBytes(`${base}/missing`).catch((e: unknown) => e);
    expect(answerProblem('TSA', `${base}/missing`, status)).toBe(`TSA ${base}/missing answered HTTP 404`);
    const gone = await fetchBytes('http://127.0.0.1:1/').catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: 'no-answer' });
    expect(answerProblem('OCSP', 'http://127.0.0.1:1/', gone)).toContain('không trả lời (did not answer)');
  });
});
