/**
 * Issue 13 §4: the SMTP edge holds against slow and greedy clients. Real gateways on 127.0.0.1;
 * client sockets bind to other loopback addresses (127.0.0.2, 127.0.0.3, ...) to stand for
 * distinct client IPs. Timeouts are configured small and every wait ends on an observable event
 * (a reply, the socket closing); nothing asserts how long something took.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../gateway/config/load.ts';
import { AddressList, TokenBuckets, asciiText, clientKey } from '../gateway/smtp/limits.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { plainMail } from './helpers/mime.ts';
import { RawSmtpClient, dribble, forever } from './helpers/smtp-client.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const FROM = 'vanthu@ubnd.bentre.gov.vn';
const message = (id: string, body = 'Kính gửi: Sở Tài chính tỉnh Lâm Đồng\r\nSố: 123/UBND-VX\r\n') => plainMail(id, UNIT, [body]);

const rowsWith = (gw: TestGateway, messageId: string) => gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.messageId, messageId));
const openFrom = (gw: TestGateway, ip?: string) => gw.smtp!.edge.openConnections(ip);
const tmpFiles = (gw: TestGateway) => readdirSync(gw.blobs.tmpDir);

/** A well-behaved client: nodemailer, one message per connection, from `localAddress`. */
function wellBehaved(gw: TestGateway, localAddress: string) {
  return nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort!, localAddress, secure: false, ignoreTLS: true } as never);
}

describe('SMTP edge: timeouts close slow clients', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.smtp.socketTimeoutMs = 600; // idle
        c.smtp.commandTimeoutMs = 1500; // progress between mail commands
        c.smtp.dataTimeoutMs = 1500; // 354 to the final dot
      },
    });
  });
  afterAll(() => gw?.close());

  it('closes an idle connection after the idle timeout', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 /);
  });

  it('closes a slowloris that dribbles a command byte by byte (no progress), though each byte resets the idle timeout', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await dribble(c, forever('EHLO slowloris.example'), 50); // a byte every 50 ms, idle timeout 600 ms
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 4\.4\.2 .*no mail transaction progress/);
  });

  it('closes a client that loops on NOOP without ever sending mail', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.2');
    await c.command('EHLO noop.example');
    while (!c.isClosed) {
      const r = await c.command('NOOP').catch(() => null);
      if (r && !r.startsWith('250')) break;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), c.closed]);
    }
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 4\.4\.2 /);
  });

  it('drops a client that stalls mid-DATA: nothing stored, the spool temp file removed', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.3');
    await c.command('EHLO stall.example');
    expect(await c.command(`MAIL FROM:<${FROM}>`)).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<${UNIT}>`)).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    // Over 1 MiB, so the spool has moved the message to a temp file; then silence.
    c.write(message('stalled', `${'x'.repeat(76)}\r\n`.repeat(20_000)));
    const sawTemp = waitFor(() => tmpFiles(gw).length > 0 || c.isClosed, 30_000, 'a spool temp file').then(() => tmpFiles(gw).length > 0);
    await c.closed;
    expect(c.replies.at(-1)).toMatch(/^421 /);
    expect(await sawTemp).toBe(true);
    await waitFor(() => tmpFiles(gw).length === 0, 15_000, 'the temp file to be removed');
    expect(await rowsWith(gw, '<stalled@ubnd.bentre.gov.vn>')).toHaveLength(0);
  });

  it('drops a client that dribbles its message past the DATA timeout; nothing stored', async () => {
    const c = await RawSmtpClient.greeted(gw.smtpPort!, '127.0.0.3');
    await c.command('EHLO dribble.example');
    expect(await c.command(`MAIL FROM:<${FROM}>`)).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<${UNIT}>`)).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    c.write('Message-ID: <dribbled@ubnd.bentre.gov.vn>\r\nSubject: slow\r\n\r\n');
    await dribble(c, forever('noi dung\r\n'), 50); // never reaches the final dot
    expect(c.replies.at(-1)).toMatch(/^421 4\.4\.2 .*not received in full/);
    await c.closed;
    await waitFor(() => openFrom(gw, '127.0.0.3') === 0, 15_000, 'the session to end');
    expect(await rowsWith(gw, '<dribbled@ubnd.bentre.gov.vn>')).toHaveLength(0);
  });

  it('still accepts a message whose sender keeps up', async () => {
    const info = await wellBehaved(gw, '127.0.0.4').sendMail({ envelope: { from: FROM, to: [UNIT] }, raw: message('prompt') });
    expect(info.response).toMatch(/^250 /);
  });
});

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
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.smtp.tls = { key: `${dir}/key.pem`, cert: `${dir}/cert.pem` };
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

describe('SMTP edge bookkeeping', () => {
  it('counts IPv4, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('matches relays by address and CIDR range', () => {
    const relays = new AddressList(['127.0.0.1', '10.20.0.0/16', '2001:db8::/32']);
    expect(relays.has('127.0.0.1')).toBe(true);
    expect(relays.has('::ffff:10.20.3.4')).toBe(true);
    expect(relays.has('10.21.0.1')).toBe(false);
    expect(relays.has('2001:db8:ffff::1')).toBe(true);
    expect(relays.has('127.0.0.2')).toBe(false);
    expect(new AddressList([]).has('127.0.0.1')).toBe(false);
  });

  it('refills a token bucket at the configured rate, up to the burst', () => {
    let now = 0;
    const b = new TokenBuckets(60, 3, () => now); // one a second
    expect([b.take('a'), b.take('a'), b.take('a'), b.take('a')]).toEqual([true, true, true, false]);
    expect(b.take('b')).toBe(true); // buckets are per key
    now += 1000;
    expect([b.take('a'), b.take('a')]).toEqual([true, false]);
    now += 3_600_000;
    expect([b.take('a'), b.take('a'), b.take('a'), b.take('a')]).toEqual([true, true, true, false]); // capped at the burst
  });

  it('folds Vietnamese to ASCII and replaces anything else outside it', () => {
    expect(asciiText('không có đơn vị nhận với địa chỉ này')).toBe('khong co don vi nhan voi dia chi nay');
    expect(asciiText('ĐẶNG Văn Ượng — 東京')).toBe('DANG Van Uong - ??');
    expect(asciiText('plain')).toBe('plain');
  });

  it('rejects a per-IP connection limit that would let one address take every slot, and relays that are not addresses', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-edge-'));
    const file = (name: string, yaml: string) => {
      writeFileSync(path.join(dir, `${name}.yaml`), yaml);
      return path.join(dir, `${name}.yaml`);
    };
    const load = (yaml: string, name: string) => () => loadConfig({ VANTHU_CONFIG: file(name, yaml) });
    expect(load('smtp:\n  maxClients: 20\n  perIp:\n    maxConnections: 20\n', 'greedy')).toThrow(ConfigError);
    expect(load('smtp:\n  maxClients: 20\n  perIp:\n    maxConnections: 20\n', 'greedy')).toThrow(/smtp\.perIp\.maxConnections/);
    expect(load('smtp:\n  relays:\n    addresses: [relay.example]\n', 'relay')).toThrow(/smtp\.relays\.addresses\[0\]/);
    expect(load('smtp:\n  hostname: mx.sở.vn\n', 'host')).toThrow(/smtp\.hostname/);
    const ok = loadConfig({ VANTHU_CONFIG: file('ok', 'smtp:\n  relays:\n    addresses: [10.20.0.0/16, "2001:db8::/32"]\n') });
    expect(ok.smtp.relays.addresses).toEqual(['10.20.0.0/16', '2001:db8::/32']);
    expect(ok.smtp.perIp.maxConnections).toBe(20);
    rmSync(dir, { recursive: true, force: true });
  });
});
