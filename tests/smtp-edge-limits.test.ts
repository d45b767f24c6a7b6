/**
 * Issue 13 §4: the SMTP edge holds against greedy clients (docs/security-smtp.md): slowloris
 * clients from one address hold every slot they may while another address is served; 421 once all
 * connections are taken; a command flood that leads nowhere is ended; the per-address message rate
 * answers 450 while other senders and relays go on; and replies stay ASCII without SMTPUTF8. A real
 * gateway on 127.0.0.1; client sockets bind to 127.0.0.2, 127.0.0.3, … to stand for distinct IPs.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { RawSmtpClient, dribble, forever } from './helpers/smtp-client.ts';
import { FROM, UNIT, message, openFrom, rowsWith, wellBehaved } from './helpers/smtp-edge.ts';

describe('SMTP edge: connection limits and the message rate limit', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.smtp.maxClients = 6;
        c.smtp.perIp = { maxConnections: 3, messagesPerMinute: 1, messageBurst: 3 };
        // Timeouts stay long here: the slow clients must hold their connections for the whole test.
        c.smtp.socketTimeoutMs = 60_000;
        c.smtp.commandTimeoutMs = 60_000;
        c.smtp.dataTimeoutMs = 60_000;
      },
    });
  });
  afterAll(() => gw?.close());

  async function closeAll(clients: RawSmtpClient[]): Promise<void> {
    for (const c of clients) c.destroy();
    await waitFor(() => openFrom(gw) === 0, 15_000, 'every connection to close');
  }

  it('keeps serving other senders while slowloris clients from one IP hold every slot they may', async () => {
    const port = gw.smtpPort!;
    const slow = await Promise.all([
      RawSmtpClient.greeted(port, '127.0.0.2'),
      RawSmtpClient.greeted(port, '127.0.0.2'),
      RawSmtpClient.greeted(port, '127.0.0.2'),
    ]);
    // One dribbles a command, one stalls mid-DATA, one says nothing at all.
    const dribbling = dribble(slow[0], forever('EHLO slowloris.example'), 200);
    await slow[1].command('EHLO stall.example');
    await slow[1].command(`MAIL FROM:<${FROM}>`);
    await slow[1].command(`RCPT TO:<${UNIT}>`);
    expect(await slow[1].command('DATA')).toMatch(/^354/);
    slow[1].write('Subject: half a message\r\n');
    expect(openFrom(gw, '127.0.0.2')).toBe(3);

    // A fourth from the same address is refused at once...
    const fourth = await RawSmtpClient.open(port, '127.0.0.2');
    expect(await fourth.reply()).toMatch(/^421 4\.7\.0 .*Too many connections from 127\.0\.0\.2/);
    await fourth.closed;

    // ...while a well-behaved sender elsewhere is served.
    const info = await wellBehaved(gw, '127.0.0.3').sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message('served-meanwhile') });
    expect(info.response).toMatch(/^250 /);
    expect(await rowsWith(gw, '<served-meanwhile@ubnd.bentre.gov.vn>')).toHaveLength(1);
    expect(slow.every((c) => !c.isClosed)).toBe(true);

    await closeAll(slow);
    await dribbling;
  });

  it('answers 421 4.3.2 once all connections are taken, and serves again when one frees up', async () => {
    const port = gw.smtpPort!;
    const held: RawSmtpClient[] = [];
    for (const ip of ['127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.4', '127.0.0.4', '127.0.0.4']) held.push(await RawSmtpClient.greeted(port, ip));
    const late = await RawSmtpClient.open(port, '127.0.0.5');
    expect(await late.reply()).toMatch(/^421 4\.3\.2 /);
    await late.closed;
    held.pop()!.destroy();
    await waitFor(() => openFrom(gw) === 5, 15_000, 'a slot to free up');
    const info = await wellBehaved(gw, '127.0.0.5').sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message('after-a-slot-freed') });
    expect(info.response).toMatch(/^250 /);
    await closeAll(held);
  });

  it('ends a session that floods commands leading nowhere, and a client that sends mail between them is never counted out', async () => {
    // A pipelined flood (the fuzz input of seed 20261207: 366,000 VRFY lines in one session).
    const flood = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.20');
    flood.write(`EHLO flood.example\r\n${'VRFY postmaster\r\nNOOP\r\nRSET\r\n'.repeat(1000)}`);
    await flood.closed;
    expect(flood.replies.at(-1)).toMatch(/^421 4\.7\.0 .*Too many commands without a mail transaction \(at most 100\)/);
    expect(flood.replies.length).toBeLessThan(110); // the greeting, then at most 101 replies and the 421
    // 60 NOOPs before each of three messages: 180 commands in all, never 100 without progress.
    const busy = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.21');
    await busy.command('EHLO busy.example');
    for (let i = 0; i < 3; i++) {
      for (let n = 0; n < 60; n++) expect(await busy.command('NOOP')).toMatch(/^250/);
      expect(await busy.send(FROM, UNIT, message(`<busy-${i}@edge.test>`))).toMatch(/^250 /);
    }
    expect(busy.isClosed).toBe(false);
    busy.destroy();
    await closeAll([flood, busy]);
  });

  it('answers 450 4.7.0 past the per-IP message rate, on the same connection, while other senders and relays go on', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.6');
    await c.command('EHLO busy.example');
    for (let i = 0; i < 3; i++) expect(await c.send(FROM, UNIT, message(`burst-${i}`))).toMatch(/^250 /); // the burst
    const over = await c.command(`MAIL FROM:<${FROM}>`);
    expect(over).toMatch(/^450 4\.7\.0 .*too many messages from 127\.0\.0\.6/);
    expect(c.isClosed).toBe(false);
    expect(await c.command('QUIT')).toMatch(/^221/);

    const other = await wellBehaved(gw, '127.0.0.7').sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message('other-sender') });
    expect(other.response).toMatch(/^250 /);
    // 127.0.0.1 is a relay (the default smtp.relays): not rate limited.
    const relay = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort!, pool: true, maxConnections: 1, secure: false, ignoreTLS: true } as never);
    for (let i = 0; i < 5; i++) expect((await relay.sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message(`relay-${i}`) })).response).toMatch(/^250 /);
    relay.close();
  });

  it('never sends a byte >= 0x80 to a session without SMTPUTF8, and keeps Vietnamese for one with it', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.8');
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const replies: string[] = [];
    // Commands whose replies echo the client, carry the gateway's Vietnamese texts, or come from smtp-server itself.
    for (const cmd of [
      'EHLO tëst.example',
      'EHLO test.example',
      `MAIL FROM:<${FROM}> XÉ=1 XÉ=2`, // smtp-server: "duplicate <param> parameter"
      `MAIL FROM:<${FROM}>`,
      'RCPT TO:<nobody@stc.lamdong.gov.vn>', // 550 in Vietnamese and English
      'RCPT TO:<thư@stc.lamdong.gov.vn>',
      `RCPT TO:<${UNIT}>`,
      'VRFY thư',
      'XÍN chào',
      'HELP',
      'RSET',
    ]) {
      replies.push(await c.command(utf8(cmd)));
    }
    expect(await c.send(FROM, UNIT, message('ascii-session'))).toMatch(/^250 /);
    for (let i = 0; i < 4; i++) replies.push(await c.command(`MAIL FROM:<${FROM}>`), await c.command('RSET')); // into the rate limit: 450 in Vietnamese
    expect(replies.join('\n')).toContain('550 5.1.1 <nobody@stc.lamdong.gov.vn>: khong co don vi nhan voi dia chi nay');
    expect(replies.join('\n')).toMatch(/450 4\.7\.0 Gui qua nhieu thu/);
    expect(c.bytes().filter((b) => b >= 0x80)).toHaveLength(0);
    c.destroy();

    // With SMTPUTF8 in MAIL FROM the same texts keep their Vietnamese; the next transaction without it is ASCII again.
    const u = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.9');
    await u.command('EHLO utf8.example');
    await u.command(`MAIL FROM:<${FROM}> SMTPUTF8`);
    const vi = await u.command('RCPT TO:<nobody@stc.lamdong.gov.vn>');
    expect(Buffer.from(vi, 'latin1').toString('utf8')).toContain('không có đơn vị nhận với địa chỉ này');
    await u.command('RSET');
    await u.command(`MAIL FROM:<${FROM}>`);
    const ascii = await u.command('RCPT TO:<nobody@stc.lamdong.gov.vn>');
    expect(ascii).toContain('khong co don vi');
    expect(Buffer.from(ascii, 'latin1').filter((b) => b >= 0x80)).toHaveLength(0);
    u.destroy();
  });
});
