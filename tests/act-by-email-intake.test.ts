/**
 * Act by e-mail through every intake path (docs/act-by-email.md, "Intake"): an officer's reply to
 * act+<token>@<unit domain> that reaches vanthu through a real Haraka with the vanthu plugin,
 * through a real Dovecot mailbox the IMAP connector polls, or through an upload to
 * POST /api/messages is stored with the reply address as its recipient, handled by the
 * act-by-mail stage (checked, carried out, answered) and never registered as a document; reply
 * addresses of the wrong shape or at a foreign domain are still refused at RCPT.
 */
import { createRequire } from 'node:module';
import { and, eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import type { Config } from '../gateway/config/load.ts';
import { replyRouter } from '../gateway/imap/replies.ts';
import { receivedForAddresses } from '../gateway/mail/recipients.ts';
import type { ReplyResult } from '../gateway/registry/replies/handle.ts';
import { deadlineRequests } from '../gateway/registry/replies/schema.ts';
import { documentComments, documents } from '../gateway/registry/schema.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { DOMAIN, keyOf, OFFICER, OTHER, replyMail, replyToOf, startActGateway, UNIT, type ActGateway } from './helpers/act-mail.ts';
import type { Backend } from './helpers/databases.ts';
import { dovecotAccount, startDovecot, type TestDovecot } from './helpers/dovecot.ts';
import { waitFor } from './helpers/gateway.ts';
import { PLUGIN_DIR, RELAY_TOKEN, startHaraka, type TestHaraka } from './helpers/haraka.ts';
import { rawSmtp } from './helpers/smtp.ts';

const MAILBOX = 'vanthu-imap@stc.lamdong.gov.vn';
const MAILBOX_PASSWORD = 'mật-khẩu-hộp-thư';
const BACKEND: Backend = 'postgres';
const TOKEN = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnop'; // token-shaped: 48 base32 characters

describe('which recipients a reply has, without an SMTP envelope', () => {
  const units = [
    { id: 'stc', name: 'Sở Tài chính', organId: null, addresses: ['vanthu@stc.lamdong.gov.vn', 'taichinh@lamdong.gov.vn'] },
    { id: 'vpubnd', name: 'VP UBND', organId: null, addresses: ['vanthu@vpubnd.lamdong.gov.vn'] },
  ];
  const config = (enabled: boolean) => ({ units, registry: { actByMail: { enabled } } }) as unknown as Config;
  const target = { unitId: 'stc', address: 'vanthu@stc.lamdong.gov.vn' };

  it('IMAP: the act+ addresses the header names, the mailbox address only when named too', () => {
    const route = replyRouter(config(true))!;
    const reply = `act+${TOKEN}@stc.lamdong.gov.vn`;
    expect(route(target, [reply.toUpperCase()])).toEqual({ rcptTo: [reply], unitIds: ['stc'] });
    expect(route(target, [reply, 'vanthu@stc.lamdong.gov.vn'])).toEqual({ rcptTo: [reply, 'vanthu@stc.lamdong.gov.vn'], unitIds: ['stc'] });
    // A reply address at another unit's domain belongs to that unit; the token decides later.
    expect(route(target, [`act+${TOKEN}@vpubnd.lamdong.gov.vn`])).toEqual({ rcptTo: [`act+${TOKEN}@vpubnd.lamdong.gov.vn`], unitIds: ['vpubnd'] });
    expect(route(target, ['vanthu@stc.lamdong.gov.vn'])).toBeNull();
    expect(route(target, [`act+${TOKEN}@evil.example`, 'act+short@stc.lamdong.gov.vn'])).toBeNull();
    expect(replyRouter(config(false))).toBeNull();
  });

  it('IMAP: a Bcc reply by its Received "for <…>" clause; a mailbox whose own address is a reply address', () => {
    const route = replyRouter(config(true))!;
    const reply = `act+${TOKEN}@stc.lamdong.gov.vn`;
    const header = [
      `Received: from mail.stc.lamdong.gov.vn (mail.stc.lamdong.gov.vn [10.0.0.5])\r\n\tby mx.stc.lamdong.gov.vn with ESMTPS id 4XyZ\r\n\tfor <${reply.toUpperCase()}>; Mon, 23 Nov 2026 10:00:01 +0700`,
      'Received: from phone by mail.stc.lamdong.gov.vn for binh@stc.lamdong.gov.vn; Mon, 23 Nov 2026 10:00:00 +0700',
      'To: binh@stc.lamdong.gov.vn',
    ].join('\r\n');
    expect(receivedForAddresses(header)).toEqual([reply, 'binh@stc.lamdong.gov.vn']);
    expect(route(target, ['binh@stc.lamdong.gov.vn'], receivedForAddresses(header))).toEqual({ rcptTo: [reply], unitIds: ['stc'] });
    // Received "for" never makes the mailbox's own address a recipient of a reply: only the header does.
    expect(route(target, [], [reply, target.address])).toEqual({ rcptTo: [reply], unitIds: ['stc'] });
    expect(route(target, ['binh@stc.lamdong.gov.vn'], ['binh@stc.lamdong.gov.vn'])).toBeNull();
    expect(route({ unitId: 'stc', address: reply }, [])).toEqual({ rcptTo: [reply], unitIds: ['stc'] });
  });

  it('Haraka plugin: reply addresses at the reply domains vanthu publishes, unit addresses as before', () => {
    const lib = createRequire(import.meta.url)(`${PLUGIN_DIR}/lib.js`);
    const dir = { addresses: new Set(['vanthu@stc.lamdong.gov.vn']), replyDomains: new Set(['stc.lamdong.gov.vn']) };
    expect(lib.knows(dir, 'vanthu@stc.lamdong.gov.vn')).toBe(true);
    expect(lib.knows(dir, `act+${TOKEN}@stc.lamdong.gov.vn`)).toBe(true);
    expect(lib.knows(dir, `act+${TOKEN.toUpperCase()}@stc.lamdong.gov.vn`)).toBe(true);
    expect(lib.knows(dir, 'act+short@stc.lamdong.gov.vn')).toBe(false);
    expect(lib.knows(dir, `act+${TOKEN}1@stc.lamdong.gov.vn`)).toBe(false); // 1 is not base32
    expect(lib.knows(dir, `act+${TOKEN}@lamdong.gov.vn`)).toBe(false);
    expect(lib.knows(dir, 'nobody@stc.lamdong.gov.vn')).toBe(false);
    // A vanthu without act by e-mail publishes no reply domain.
    expect(lib.knows({ addresses: dir.addresses, replyDomains: new Set() }, `act+${TOKEN}@stc.lamdong.gov.vn`)).toBe(false);
  });
});

describe('act by e-mail through Haraka, IMAP and HTTP upload', () => {
  let gw: ActGateway;
  let haraka: TestHaraka;
  let dovecot: TestDovecot;
  let docId: string;
  let officerAddress: string;
  const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội

  const db = () => gw.app.database.db;
  const docRow = async () => (await db().select().from(documents).where(eq(documents.id, docId)))[0];
  const inbound = async (id: string) => (await db().select().from(inboundMessages).where(eq(inboundMessages.id, id)))[0];
  const byMessageId = async (mid: string) => (await db().select().from(inboundMessages).where(eq(inboundMessages.messageId, mid)))[0];

  /** Waits for the pipeline to decide a stored reply: the act-by-mail stage's result and the answer mailed. */
  async function outcome(id: string) {
    await waitFor(async () => (await inbound(id))?.state === 'decided', 30_000, `message ${id} decided`);
    const [stage] = await db()
      .select()
      .from(messageStages)
      .where(and(eq(messageStages.messageId, id), eq(messageStages.stage, 'act-by-mail')));
    const answer = await waitFor(() => gw.sink.mails.find((m) => keyOf(m) === `act:${id}`), 10_000, `the answer to ${id}`);
    // A reply is not correspondence: no document is made of it.
    expect(await db().select().from(documents).where(eq(documents.inboundId, id))).toEqual([]);
    return { result: stage?.result as ReplyResult, answer };
  }

  beforeAll(async () => {
    dovecot = await startDovecot([{ user: MAILBOX, password: MAILBOX_PASSWORD }]);
    gw = await startActGateway(BACKEND, clock, (c) => {
      c.http.tokens = [...c.http.tokens, { name: 'haraka', token: RELAY_TOKEN, role: 'relay' }];
      c.imap.backoffMinMs = 300;
      c.imap.accounts = [dovecotAccount(dovecot, { id: 'stc-imap', user: MAILBOX, password: MAILBOX_PASSWORD })];
    });
    haraka = await startHaraka({ vanthu: { url: `http://127.0.0.1:${gw.app.httpPort}`, token: RELAY_TOKEN, timeout: 10, refresh: 60 } });
    docId = await gw.arrive('intake-1');
    const mail = await waitFor(() => gw.sink.to(OFFICER).find((m) => m.subject.startsWith('Giao xử lý')), 20_000, 'assignment mail');
    officerAddress = replyToOf(mail)!;
    expect(officerAddress).toMatch(/^act\+[a-z2-7]{48}@stc\.lamdong\.gov\.vn$/);
  }, 120_000);

  afterAll(async () => {
    await haraka?.stop();
    await gw?.close();
    await dovecot?.stop();
  });

  it('publishes the reply domains in GET /api/units, for the Haraka plugin', async () => {
    const res = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/units`, { headers: { authorization: `Bearer ${RELAY_TOKEN}` } });
    const body = (await res.json()) as { replyDomains: string[] };
    expect(body.replyDomains).toEqual(expect.arrayContaining([DOMAIN, 'lamdong.gov.vn', 'vpubnd.lamdong.gov.vn']));
  });

  it('Haraka: accepts act+<token>@<unit domain> at RCPT and hands the reply to the act-by-mail stage', async () => {
    const replies = await rawSmtp(haraka.port, [
      { send: 'EHLO mail.stc.lamdong.gov.vn\r\n', replies: 1 },
      { send: `MAIL FROM:<${OFFICER}>\r\n`, replies: 1 },
      { send: `RCPT TO:<${officerAddress.toUpperCase()}>\r\n`, replies: 1 },
      { send: `RCPT TO:<act+short@${DOMAIN}>\r\n`, replies: 1 },
      { send: `RCPT TO:<${officerAddress.replace(DOMAIN, 'evil.example')}>\r\n`, replies: 1 },
      { send: `RCPT TO:<${UNIT}>\r\n`, replies: 1 },
    ]);
    expect(replies[3]).toMatch(/^250 /); // the reply address, whatever its case
    expect(replies[4]).toMatch(/^550 5\.1\.1 /); // not a token
    expect(replies[5]).toMatch(/^550 5\.1\.1 /); // not a domain vanthu publishes
    expect(replies[6]).toMatch(/^250 /);

    const raw = await replyMail({ to: officerAddress, body: 'Ý kiến: Đã liên hệ phòng Kế hoạch, chờ số liệu.', id: 'via-haraka' });
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: haraka.port, secure: false, ignoreTLS: true, name: 'mail.stc.lamdong.gov.vn' });
    const info = await t.sendMail({ envelope: { from: OFFICER, to: [officerAddress] }, raw });
    const id = /vanthu ([0-9A-Z]{26})/.exec(info.response)![1];
    expect(await inbound(id)).toMatchObject({ source: 'haraka', rcptTo: [officerAddress], unitIds: ['stc'], mailFrom: OFFICER });
    const { result, answer } = await outcome(id);
    expect(result.outcome).toMatchObject({ kind: 'applied', command: 'comment', documentId: docId });
    expect(answer.to).toEqual([OFFICER]);
    expect(answer.text).toContain('Đã ghi ý kiến');
    const comments = await db().select().from(documentComments).where(eq(documentComments.documentId, docId));
    expect(comments.map((c) => [c.actor, c.body])).toEqual([[OFFICER, 'Đã liên hệ phòng Kế hoạch, chờ số liệu.']]);
  });

  it('IMAP: a reply in the polled mailbox is stored for its act+ address and handled as a reply', async () => {
    const raw = await replyMail({ to: officerAddress, body: 'Gia hạn đến 15/12 vì cần lấy ý kiến các phòng', id: 'via-imap' });
    const client = await dovecot.connect(MAILBOX);
    try {
      await client.append('INBOX', raw);
    } finally {
      await client.logout().catch(() => undefined);
    }
    const row = await waitFor(() => byMessageId(`<via-imap@${DOMAIN}>`), 30_000, 'the IMAP reply stored');
    // No envelope over IMAP: the recipient is the reply address the header names, not the mailbox's unit address.
    expect(row).toMatchObject({ source: 'imap', rcptTo: [officerAddress], unitIds: ['stc'] });
    const { result, answer } = await outcome(row.id);
    expect(result.outcome).toMatchObject({ kind: 'applied', command: 'extend', documentId: docId });
    expect(answer.text).toContain('đề nghị gia hạn đến 15/12/2026');
    const requests = await db().select().from(deadlineRequests).where(eq(deadlineRequests.documentId, docId));
    expect(requests.map((r) => [r.requestedDue, r.status, r.messageId])).toEqual([['2026-12-15', 'pending', `<via-imap@${DOMAIN}>`]]);
  });

  it('IMAP: a reply sent as a Bcc (the act+ address only in a Received "for <…>" clause) is handled as a reply', async () => {
    // The officer wrote to a colleague and put the reply address in Bcc: no header names it.
    const signed = await replyMail({ to: OTHER, body: 'Ý kiến: Đã gửi số liệu cho phòng Kế hoạch.', id: 'via-imap-bcc', subject: 'Số liệu quý IV' });
    const raw = `Received: from mail.stc.lamdong.gov.vn by mx.stc.lamdong.gov.vn with ESMTPS id 4XyZ\r\n\tfor <${officerAddress}>; Mon, 23 Nov 2026 10:00:01 +0700\r\n${signed}`;
    const client = await dovecot.connect(MAILBOX);
    try {
      await client.append('INBOX', raw);
    } finally {
      await client.logout().catch(() => undefined);
    }
    const row = await waitFor(() => byMessageId(`<via-imap-bcc@${DOMAIN}>`), 30_000, 'the Bcc reply stored');
    expect(row).toMatchObject({ source: 'imap', rcptTo: [officerAddress], unitIds: ['stc'] });
    const { result, answer } = await outcome(row.id);
    expect(result.outcome).toMatchObject({ kind: 'applied', command: 'comment', documentId: docId });
    expect(answer.to).toEqual([OFFICER]);
    const comments = await db().select().from(documentComments).where(eq(documentComments.documentId, docId));
    expect(comments.map((c) => c.body)).toContain('Đã gửi số liệu cho phòng Kế hoạch.');
  });

  it('IMAP: ordinary mail in the same mailbox still goes to the unit', async () => {
    const raw = [
      `From: Văn thư UBND <vanthu@ubnd.bentre.gov.vn>`,
      `To: ${UNIT}`,
      'Subject: Công văn gửi qua hộp thư',
      'Message-ID: <imap-plain@ubnd.bentre.gov.vn>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Số: 456/UBND-VX',
      '',
    ].join('\r\n');
    const client = await dovecot.connect(MAILBOX);
    try {
      await client.append('INBOX', raw);
    } finally {
      await client.logout().catch(() => undefined);
    }
    const row = await waitFor(() => byMessageId('<imap-plain@ubnd.bentre.gov.vn>'), 30_000, 'the IMAP mail stored');
    expect(row).toMatchObject({ source: 'imap', rcptTo: [UNIT], unitIds: ['stc'] });
  });

  it('HTTP upload: a reply uploaded to POST /api/messages (recipients from its header) is handled as a reply', async () => {
    const raw = await replyMail({ to: `Văn thư <${officerAddress}>`, body: 'Đã xử lý. Đã gửi báo cáo số liệu.', id: 'via-upload' });
    const res = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.app.config.http.tokens[0].token}`, 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await inbound(id)).toMatchObject({ source: 'api', rcptTo: [officerAddress], unitIds: ['stc'] });
    const { result, answer } = await outcome(id);
    expect(result.outcome).toMatchObject({ kind: 'applied', command: 'done', documentId: docId, status: 'done' });
    expect(answer.text).toContain('đã xử lý xong');
    expect((await docRow()).status).toBe('done');
  });

  it('HTTP upload: a reply address at a domain vanthu does not publish is no recipient', async () => {
    const raw = await replyMail({ to: officerAddress.replace(DOMAIN, 'evil.example'), body: 'xong', id: 'via-upload-foreign' });
    const res = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.app.config.http.tokens[0].token}`, 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(422);
  });
});
