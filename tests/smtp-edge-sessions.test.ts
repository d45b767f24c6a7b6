/**
 * Issue 13 §4: SMTP edge sessions from start to end (docs/security-smtp.md): at shutdown idle
 * sessions get 421 at once while a message in DATA finishes with 250; a session upgraded with
 * STARTTLS is counted until it closes, its replies filtered to ASCII, its slot freed. Real gateways
 * on 127.0.0.1; client sockets bind to other loopback addresses to stand for distinct client IPs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { RawSmtpClient } from './helpers/smtp-client.ts';
import { FROM, UNIT, message, openFrom, rowsWith } from './helpers/smtp-edge.ts';
import { selfSignedCert } from './helpers/tls.ts';

describe('SMTP edge: shutdown', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ backend: 'pglite' });
  });
  afterAll(() => gw?.close());

  it('ends idle sessions with 421 at once, lets a message in DATA finish with 250, then ends that session too', async () => {
    const idle = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await idle.command('EHLO idle.example');
    const busy = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.3');
    await busy.command('EHLO busy.example');
    await busy.command(`MAIL FROM:<${FROM}>`);
    await busy.command(`RCPT TO:<${UNIT}>`);
    expect(await busy.command('DATA')).toMatch(/^354/);
    const raw = message('in-flight-at-shutdown');
    busy.write(raw.slice(0, 100));

    const closing = gw.smtp!.close();
    expect(await idle.reply()).toMatch(/^421 4\.3\.2 .*shutting down/);
    await idle.closed;
    await expect(RawSmtpClient.open(gw.smtpPort!, '127.0.0.4')).rejects.toThrow(/ECONNREFUSED/);

    busy.write(`${raw.slice(100)}\r\n.\r\n`);
    expect(await busy.reply()).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(await busy.reply()).toMatch(/^421 4\.3\.2 /);
    await busy.closed;
    await closing;
    expect(await rowsWith(gw, '<in-flight-at-shutdown@ubnd.bentre.gov.vn>')).toHaveLength(1);
  });
});

describe('SMTP edge: STARTTLS sessions', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-edge-tls-'));
    const tls = selfSignedCert(dir, 'mx.demo.lamdong.gov.vn');
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.smtp.tls = tls;
        c.smtp.perIp = { maxConnections: 2, messagesPerMinute: 600, messageBurst: 1000 };
      },
    });
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a session that upgraded to TLS until it closes, filters its replies, and frees its slot', async () => {
    const info = await nodemailer
      .createTransport({
        host: '127.0.0.1',
        port: gw.smtpPort!,
        localAddress: '127.0.0.2',
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
      } as never)
      .sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message('over-tls') });
    expect(info.response).toMatch(/^250 /);
    await waitFor(() => openFrom(gw, '127.0.0.2') === 0, 15_000, 'the TLS session to be uncounted');

    const held: RawSmtpClient[] = [];
    for (let i = 0; i < 2; i++) {
      const plain = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
      await plain.command('EHLO tls.example');
      const c = await plain.startTls();
      expect(await c.command('EHLO tls.example')).toMatch(/^250-/);
      held.push(c);
    }
    // Over TLS, without SMTPUTF8, replies are still ASCII.
    await held[0].command(`MAIL FROM:<${FROM}>`);
    expect(await held[0].command('RCPT TO:<nobody@stc.lamdong.gov.vn>')).toContain('khong co don vi');
    expect(held[0].bytes().filter((b) => b >= 0x80)).toHaveLength(0);
    const third = await RawSmtpClient.open(gw.smtpPort!, '127.0.0.2');
    expect(await third.reply()).toMatch(/^421 4\.7\.0 /);
    for (const c of held) c.destroy();
    await waitFor(() => openFrom(gw, '127.0.0.2') === 0, 15_000, 'the TLS sessions to close');
  });
});
