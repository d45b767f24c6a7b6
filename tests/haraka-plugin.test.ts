/** Unit tests of the Haraka plugin's logic (gateway/haraka/lib.js), loaded as Haraka loads it: require. */
import { createRequire } from 'node:module';
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN_DIR } from './helpers/haraka.ts';

const lib = createRequire(import.meta.url)(`${PLUGIN_DIR}/lib.js`);

describe('vanthu Haraka plugin logic', () => {
  it('reads vanthu.ini with defaults and names the bad key', () => {
    expect(lib.readSettings({ url: 'http://127.0.0.1:8080/', token: 'abc' })).toEqual({
      url: 'http://127.0.0.1:8080',
      token: 'abc',
      timeoutMs: 25_000,
      refreshMs: 300_000,
      rejectUnknown: true,
    });
    expect(lib.readSettings({ url: 'https://vanthu.example', token: 't', timeout: '5', refresh: '60', reject_unknown: false })).toMatchObject({
      timeoutMs: 5000,
      refreshMs: 60_000,
      rejectUnknown: false,
    });
    expect(() => lib.readSettings({ url: 'vanthu.example', token: 't' })).toThrow(/main\.url/);
    expect(() => lib.readSettings({ url: 'http://x' })).toThrow(/main\.token.*role: relay/);
  });

  it('takes the lower-case address of Haraka address objects, old and new, and the null sender', () => {
    expect(lib.addressOf({ address: 'VanThu@STC.lamdong.gov.vn' })).toBe('vanthu@stc.lamdong.gov.vn');
    expect(lib.addressOf({ address: () => 'A@B.vn' })).toBe('a@b.vn');
    expect(lib.addressOf({ user: undefined, host: undefined, address: '' })).toBe('');
    expect(lib.addressOf(null)).toBe('');
  });

  it('maps vanthu answers to SMTP outcomes', () => {
    expect(lib.queueReply({ status: 201, body: { id: 'X' } })).toEqual([lib.C.OK, 'vanthu X']);
    expect(lib.queueReply({ status: 200, body: { id: 'X' } })).toEqual([lib.C.OK, 'vanthu X (duplicate)']);
    const [code, dsn] = lib.queueReply({ status: 503, body: { message: 'storage failed' } });
    expect(code).toBe(lib.C.DENYSOFT);
    expect(dsn.constructor.name).toBe('DSN'); // what Haraka's respond() recognises
    expect(dsn).toMatchObject({ code: 451, reply: expect.stringMatching(/^4\.3\.0 .*storage failed/) });
    expect(lib.queueReply({ status: 401, body: null })[0]).toBe(lib.C.DENYSOFT);
    expect(lib.queueReply({ status: 413, body: null })).toEqual([lib.C.DENY, expect.objectContaining({ reply: expect.stringMatching(/^5\.3\.4 /) })]);
    // A credential vanthu refuses is the operator's to fix: the sender retries, Haraka's log says why.
    expect(lib.queueReply({ status: 403, body: { message: 'relay credential needed' } })[0]).toBe(lib.C.DENYSOFT);
    expect(lib.credentialHint(403)).toMatch(/role: relay/);
    expect(lib.credentialHint(201)).toBeNull();
  });

  it('keeps the last directory when a refresh fails, and fails lookups before the first load', async () => {
    let answer: Set<string> | Error = new Error('down');
    const dir = new lib.Directory(async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    }, 60_000);
    await expect(dir.has('a@b.vn')).rejects.toThrow('down');
    answer = new Set(['a@b.vn']);
    expect(await dir.has('a@b.vn')).toBe(true);
    answer = new Error('down again');
    await expect(dir.refresh()).rejects.toThrow('down again');
    expect(await dir.has('a@b.vn')).toBe(true);
    expect(await dir.has('c@b.vn')).toBe(false);
  });

  describe('hand-off over HTTP', () => {
    let server: http.Server;
    let seen: { url: string; auth: string; type: string; body: string } | null = null;
    let settings: Record<string, unknown>;

    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (d) => chunks.push(d));
        req.on('end', () => {
          seen = { url: req.url!, auth: req.headers.authorization!, type: req.headers['content-type']!, body: Buffer.concat(chunks).toString() };
          res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"01ABC","duplicate":false}');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      settings = lib.readSettings({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: 'tok-123', timeout: 5 });
    });
    afterAll(() => new Promise((r) => server.close(r)));

    it('streams the message with the envelope as query parameters and the bearer token', async () => {
      const res = await lib.handOff(
        settings,
        { rcptTo: ['a@b.vn', 'c@b.vn'], mailFrom: 'x@y.vn', remoteIp: '192.0.2.1', helo: 'mx.y.vn' },
        (req: NodeJS.WritableStream) => Readable.from([Buffer.from('Subject: hi\r\n\r\n'), Buffer.from('body\r\n')]).pipe(req),
      );
      expect(res).toEqual({ status: 201, body: { id: '01ABC', duplicate: false } });
      expect(seen).toEqual({
        url: '/api/messages?to=a%40b.vn&to=c%40b.vn&source=haraka&mailFrom=x%40y.vn&remoteIp=192.0.2.1&helo=mx.y.vn',
        auth: 'Bearer tok-123',
        type: 'message/rfc822',
        body: 'Subject: hi\r\n\r\nbody\r\n',
      });
    });
  });
});
