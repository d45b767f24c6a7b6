import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessages } from '../gateway/store/schema.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { rawSmtp, transport } from './helpers/smtp.ts';
import { plainMail } from './helpers/mime.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';

const message = (id: string, body = 'Kính gửi: Sở Tài chính tỉnh Lâm Đồng\r\nSố: 123/UBND-VX\r\n') => plainMail(id, UNIT, [body]);

describe.each(BACKENDS)('SMTP durable accept on %s', (backend) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ backend, configure: (c) => (c.smtp.maxMessageBytes = 64 * 1024) });
  });
  afterAll(() => gw?.close());

  const rowsWith = (messageId: string) => gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.messageId, messageId));

  it('answers 250 with the id of a stored, fsynced message, which the worker then parses', async () => {
    const raw = message('first');
    const info = await transport(gw.smtpPort!).sendMail({ envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: [UNIT] }, raw });
    const id = /queued as ([0-9A-Z]{26})/.exec(info.response)?.[1];
    expect(info.response).toMatch(/^250 /);
    const [row] = await rowsWith('<first@ubnd.bentre.gov.vn>');
    expect(row.id).toBe(id);
    expect(row.unitIds).toEqual(['stc']);
    expect((await gw.blobs.read(row.blobSha256)).toString()).toBe(raw);
    const parsed = await waitFor(
      async () => {
        const res = await gw.api(`/api/messages/${id}`);
        const body = (await res.json()) as { state: string; subject: string; stages: Record<string, { status: string; result: { subject: string } }> };
        return body.stages.parse?.status === 'done' ? body : null;
      },
      15_000,
      'parse stage',
    );
    expect(parsed.subject).toBe('Công văn số 123/UBND-VX');
    expect(parsed.stages.parse.result.subject).toBe('Công văn số 123/UBND-VX');
    const rawRes = await gw.api(`/api/messages/${id}/raw`);
    expect(await rawRes.text()).toBe(raw);
  });

  it('rejects an unknown recipient with 550 5.1.1', async () => {
    const replies = await rawSmtp(gw.smtpPort!, [
      { send: 'EHLO test.example\r\n', replies: 1 },
      { send: 'MAIL FROM:<a@b.gov.vn>\r\n', replies: 1 },
      { send: 'RCPT TO:<nobody@stc.lamdong.gov.vn>\r\n', replies: 1 },
    ]);
    expect(replies[3]).toMatch(/^550 5\.1\.1 /);
  });

  it('answers 552 to a message over the size limit and stores nothing', async () => {
    const big = message('big', 'x'.repeat(70 * 1024));
    await expect(transport(gw.smtpPort!).sendMail({ envelope: { from: 'a@b.gov.vn', to: [UNIT] }, raw: big })).rejects.toThrow(/552/);
    expect(await rowsWith('<big@ubnd.bentre.gov.vn>')).toHaveLength(0);
  });

  it('stores the same message once when it arrives twice, answering 250 both times', async () => {
    const raw = message('twice');
    const t = transport(gw.smtpPort!);
    const a = await t.sendMail({ envelope: { from: 'a@b.gov.vn', to: [UNIT] }, raw });
    const b = await t.sendMail({
      envelope: { from: 'a@b.gov.vn', to: [UNIT] },
      raw: `Received: from relay.example by mx; Mon, 23 Nov 2026 09:00:01 +0700\r\n${raw}`,
    });
    expect(a.response).toMatch(/^250 /);
    expect(b.response).toMatch(/^250 .*duplicate/);
    expect(/queued as (\w+)/.exec(b.response)?.[1]).toBe(/queued as (\w+)/.exec(a.response)?.[1]);
    expect(await rowsWith('<twice@ubnd.bentre.gov.vn>')).toHaveLength(1);
  });

  it('never lets a bare-LF or bare-CR dot end DATA (no smuggled second message)', async () => {
    for (const [n, sep] of [
      ['lf', '\n.\n'],
      ['cr', '\r.\r'],
      ['mixed', '\n.\r\n'],
      ['crlf-lf', '\r\n.\n'],
    ] as const) {
      const smuggle = `MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<${UNIT}>\r\nDATA\r\nMessage-ID: <smuggled-${n}@attacker.example>\r\n\r\nsmuggled\r\n`;
      const replies = await rawSmtp(gw.smtpPort!, [
        { send: 'EHLO test.example\r\n', replies: 1 },
        { send: 'MAIL FROM:<a@b.gov.vn>\r\n', replies: 1 },
        { send: `RCPT TO:<${UNIT}>\r\n`, replies: 1 },
        { send: 'DATA\r\n', replies: 1 },
        { send: `${message(`carrier-${n}`, 'hello')}${sep}${smuggle}\r\n.\r\n`, replies: 1 },
        { send: 'QUIT\r\n', replies: 1 },
      ]);
      expect(replies.filter((l) => l.startsWith('250 2.0.0 Ok: queued'))).toHaveLength(1);
      expect(await rowsWith(`<smuggled-${n}@attacker.example>`)).toHaveLength(0);
      const [carrier] = await rowsWith(`<carrier-${n}@ubnd.bentre.gov.vn>`);
      expect((await gw.blobs.read(carrier.blobSha256)).toString()).toContain('smuggled');
    }
  });

  it('protects /api with bearer tokens and publishes an OpenAPI document', async () => {
    const anon = await fetch(`http://127.0.0.1:${gw.httpPort}/api/messages`);
    expect(anon.status).toBe(401);
    const list = await gw.api('/api/messages?limit=2');
    const body = (await list.json()) as { items: unknown[]; next: string | null };
    expect(body.items).toHaveLength(2);
    expect(body.next).toMatch(/^[0-9A-Z]{26}$/);
    const doc = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/messages', '/api/messages/{id}', '/api/messages/{id}/raw']));
    const ready = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
    expect(await ready.json()).toEqual({ ok: true, checks: { database: 'ok', redis: 'ok' } });
  });
});

describe('SMTP STARTTLS', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=mx.demo.lamdong.gov.vn',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
      ],
      { stdio: 'ignore' },
    );
    gw = await startTestGateway({ backend: 'pglite', configure: (c) => (c.smtp.tls = { key: `${dir}/key.pem`, cert: `${dir}/cert.pem` }) });
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers STARTTLS when a certificate is configured and accepts mail over it', async () => {
    const replies = await rawSmtp(gw.smtpPort!, [{ send: 'EHLO test.example\r\n', replies: 1 }]);
    expect(replies[1]).toMatch(/^250 /);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort!, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    const info = await t.sendMail({ envelope: { from: 'a@b.gov.vn', to: [UNIT] }, raw: message('over-tls') });
    expect(info.response).toMatch(/^250 /);
  });
});
