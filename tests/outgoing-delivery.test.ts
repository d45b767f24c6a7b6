/**
 * Outgoing delivery against a real SMTP server: 4xx twice then 250 (retries with backoff on the
 * BullMQ "delivery" queue), 5xx (failed at once, sender told), DKIM verified with mailauth
 * through a zone resolver, numbering from the registry's outgoing book, the directory search.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneResolver } from '../gateway/trust/dns.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';

interface Flaky {
  port: number;
  received: Array<{ to: string[]; raw: Buffer }>;
  attempts: Map<string, number>;
  close(): Promise<void>;
}

/** Answers 451 to the first two DATA attempts per recipient (not to the registry's notices), 550 to reject@..., else 250 with a queue id. */
async function startFlakyServer(): Promise<Flaky> {
  const received: Flaky['received'] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(addr, _s, done) {
      if (addr.address.startsWith('reject@')) return done(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
      done();
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const n = (attempts.get(to[0]) ?? 0) + 1;
        attempts.set(to[0], n);
        if (n <= 2 && session.envelope.mailFrom && session.envelope.mailFrom.address !== 'notice@stc.lamdong.gov.vn')
          return done(Object.assign(new Error('4.3.2 try again later'), { responseCode: 451 }));
        received.push({ to, raw: Buffer.concat(chunks) });
        done(null, `2.0.0 Ok: queued as Q${received.length}`);
      });
    },
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)));
  return { port, received, attempts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-dkim-'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = path.join(dir, 'dkim.pem');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
const dkimTxt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const resolver = zoneResolver([{ name: 'vanthu._domainkey.stc.lamdong.gov.vn', type: 'TXT', value: [dkimTxt] }]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe.each(BACKENDS)('outgoing delivery (%s)', (backend) => {
  let gw: TestGateway;
  let smtp: Flaky;

  beforeAll(async () => {
    smtp = await startFlakyServer();
    gw = await startTestGateway({
      backend,
      configure: (cfg) => {
        cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, user: null, pass: null };
        cfg.mail.from = 'notice@stc.lamdong.gov.vn';
        cfg.directory = [
          { name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'vanthu@stp.lamdong.gov.vn', organId: '000.00.20.H41', aliases: ['Sở Tư pháp tỉnh Bình Thuận'] },
        ];
        cfg.outgoing.units.stc = { codeSuffix: 'STC-VP', dkim: { domain: 'stc.lamdong.gov.vn', selector: 'vanthu', privateKey: keyFile }, smime: null };
        cfg.outgoing.delivery = { attempts: 5, backoffMs: 100, concurrency: 2 };
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await smtp?.close();
  });

  const send = (body: Record<string, unknown>) =>
    gw.api('/api/outgoing', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        unit: 'stc',
        subject: 'Kế hoạch kiểm tra ngân sách năm 2027',
        typeCode: 'KH',
        typeName: 'Kế hoạch',
        document: { filename: 'ke-hoach.pdf', content: PDF.toString('base64') },
        ...body,
      }),
    });

  it('retries 4xx with backoff until 250, numbers from the outgoing book, signs with DKIM', async () => {
    const res = await send({ to: ['Sở Tư pháp'] });
    expect(res.status).toBe(201);
    const sent = (await res.json()) as { id: string; notation: string; warnings: string[]; deliveries: Array<{ recipient: string; state: string }> };
    expect(sent.notation).toBe('1/KH-STC-VP');
    expect(sent.warnings).toEqual([]);
    expect(sent.deliveries).toMatchObject([{ recipient: 'vanthu@stp.lamdong.gov.vn', state: 'queued' }]);
    const view = await waitFor(
      async () => {
        const v = (await (await gw.api(`/api/outgoing/${sent.id}`)).json()) as { deliveries: Array<{ state: string; attempts: number; response: string }> };
        return v.deliveries[0].state === 'sent' ? v : null;
      },
      20_000,
      'delivery after retries',
    );
    expect(view.deliveries[0].attempts).toBe(3);
    expect(view.deliveries[0].response).toMatch(/^250 .*queued as Q\d+/);
    expect(smtp.attempts.get('vanthu@stp.lamdong.gov.vn')).toBe(3);
    const mail = smtp.received.find((m) => m.to.includes('vanthu@stp.lamdong.gov.vn'))!;
    const dkim = await dkimVerify(mail.raw, { resolver: resolver as never });
    expect(dkim.results.map((r: { status: { result: string } }) => r.status.result)).toEqual(['pass']);
    // The next send takes the next number, gap-free.
    const second = (await (await send({ to: ['vanthu@stp.lamdong.gov.vn'] })).json()) as { notation: string };
    expect(second.notation).toBe('2/KH-STC-VP');
  }, 40_000);

  it('marks a 5xx recipient failed at once and tells the sender; unknown addresses warn', async () => {
    const res = await send({ to: ['reject@nowhere.example'] });
    expect(res.status).toBe(201);
    const sent = (await res.json()) as { id: string; warnings: string[] };
    expect(sent.warnings[0]).toMatch(/không có trong danh bạ/);
    const view = await waitFor(
      async () => {
        const v = (await (await gw.api(`/api/outgoing/${sent.id}`)).json()) as { deliveries: Array<{ state: string; attempts: number; lastError: string }> };
        return v.deliveries[0].state === 'failed' ? v : null;
      },
      20_000,
      'permanent failure',
    );
    expect(view.deliveries[0].attempts).toBe(1);
    expect(view.deliveries[0].lastError).toMatch(/550/);
    await waitFor(
      () => smtp.received.find((m) => m.to.includes('vanthu@stc.lamdong.gov.vn') && m.raw.toString().includes('reject@nowhere.example')),
      10_000,
      'failure notice',
    );
  }, 40_000);

  it('marks a sent recipient failed when a delivery status notification (RFC 3464) comes back', async () => {
    const res = await send({ to: ['vanthu@stp.lamdong.gov.vn'], subject: 'Thông báo lịch họp tháng 12', typeCode: 'TB', typeName: undefined });
    const sent = (await res.json()) as { id: string; notation: string; messageId: string };
    // One outgoing book per unit and year: the number continues across types (1, 2 KH; 3 to reject@).
    expect(sent.notation).toBe('4/TB-STC-VP');
    await waitFor(
      async () => ((await (await gw.api(`/api/outgoing/${sent.id}`)).json()) as { deliveries: Array<{ state: string }> }).deliveries[0].state === 'sent',
      20_000,
      'sent',
    );
    // A bounce as Postfix writes it: no In-Reply-To; the original Message-ID only in the returned headers.
    const dsn = [
      'From: MAILER-DAEMON@mx.stp.lamdong.gov.vn (Mail Delivery System)',
      'To: vanthu@stc.lamdong.gov.vn',
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'Message-ID: <dsn-1@mx.stp.lamdong.gov.vn>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
      '',
      '--BOUNDARY',
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.stp.lamdong.gov.vn.',
      '<vanthu@stp.lamdong.gov.vn>: mailbox full, gave up after 5 days',
      '',
      '--BOUNDARY',
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.stp.lamdong.gov.vn',
      '',
      'Final-Recipient: rfc822; vanthu@stp.lamdong.gov.vn',
      'Action: failed',
      'Status: 5.2.2',
      'Diagnostic-Code: smtp; 552 5.2.2 mailbox full',
      '',
      '--BOUNDARY',
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${sent.messageId}`,
      'From: vanthu@stc.lamdong.gov.vn',
      'To: vanthu@stp.lamdong.gov.vn',
      '',
      '--BOUNDARY--',
      '',
    ].join('\r\n');
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort!, secure: false, ignoreTLS: true });
    await tr.sendMail({ envelope: { from: '', to: ['vanthu@stc.lamdong.gov.vn'] }, raw: dsn });
    tr.close();
    const view = await waitFor(
      async () => {
        const v = (await (await gw.api(`/api/outgoing/${sent.id}`)).json()) as {
          deliveries: Array<{ state: string; lastError: string; evidence: Array<{ state: string; note: string }> }>;
        };
        return v.deliveries[0].state === 'failed' ? v : null;
      },
      20_000,
      'DSN to mark the recipient failed',
    );
    expect(view.deliveries[0].evidence).toMatchObject([{ state: 'failed', note: 'DSN failed 5.2.2' }]);
    await waitFor(
      () => smtp.received.find((m) => m.to.includes('vanthu@stc.lamdong.gov.vn') && m.raw.toString().includes(sent.notation)),
      10_000,
      'failure notice to the sender',
    );
  }, 40_000);

  it('refuses bad input with a clear message', async () => {
    const r1 = await send({ to: ['Sở'] });
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { message: string }).message).toMatch(/khớp nhiều đơn vị|ambiguous/);
    const r2 = await send({ to: ['vanthu@stp.lamdong.gov.vn'], smime: true });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { message: string }).message).toMatch(/smime/);
  });

  it('searches the directory without diacritics, including historical names', async () => {
    const q = async (s: string) =>
      ((await (await gw.api(`/api/directory?q=${encodeURIComponent(s)}`)).json()) as { items: Array<{ address: string }> }).items.map((i) => i.address);
    expect(await q('so tu phap')).toEqual(['vanthu@stp.lamdong.gov.vn']);
    expect(await q('binh thuan')).toEqual(['vanthu@stp.lamdong.gov.vn']);
    expect(await q('tai chinh lam dong')).toEqual(['vanthu@stc.lamdong.gov.vn']);
  });
});
