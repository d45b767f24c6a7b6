/**
 * Act by e-mail (docs/act-by-email.md): every notice carries a Reply-To act+<token>@<unit domain>,
 * and an officer's reply to it — DKIM-signed with a key a local zone file publishes — is checked
 * (DMARC or aligned DKIM, the sender the token was issued to, the Message-ID not seen before) and
 * carried out through the registry's workflow, with an answer by mail. Real gateway over SMTP,
 * the injected clock, no wall-clock waits beyond polling.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { auditLog, documents } from '../gateway/registry/schema.ts';
import { deadlineRequests, documentResults } from '../gateway/registry/replies/schema.ts';
import { BACKENDS } from './helpers/databases.ts';
import { waitFor } from './helpers/gateway.ts';
import { DOMAIN, keyOf, LEADER, OFFICER, OTHER, replyMail, replyToOf, startActGateway, type ActGateway } from './helpers/act-mail.ts';
import { transport } from './helpers/smtp.ts';

const RESULT_PDF = Buffer.from('%PDF-1.4\n% báo cáo kết quả\n%%EOF\n');

describe.each(BACKENDS)('act by e-mail on %s', (backend) => {
  let gw: ActGateway;
  const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội
  let docId: string;
  let officerAddress: string;

  const docRow = async () => (await gw.app.database.db.select().from(documents).where(eq(documents.id, docId)))[0];
  const send: ActGateway['send'] = (r, raw) => gw.send(r, raw);

  beforeAll(async () => {
    gw = await startActGateway(backend, clock);
    docId = await gw.arrive('doc1');
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('mails the assignee an assignment that carries a Reply-To act+<token>@<unit domain>', async () => {
    expect((await docRow()).status).toBe('assigned');
    const mail = await waitFor(() => gw.sink.to(OFFICER).find((m) => m.subject.startsWith('Giao xử lý')), 20_000, 'assignment mail');
    officerAddress = replyToOf(mail)!;
    expect(officerAddress).toMatch(/^act\+[a-z2-7]{48}@stc\.lamdong\.gov\.vn$/);
    expect(officerAddress.split('@')[0].length).toBeLessThanOrEqual(64);
    expect(mail.text).toContain('Hạn xử lý: 07/12/2026');
    expect(mail.text).toContain('gia hạn đến');
    // The deadline as a calendar entry, one UID per document.
    const ics = mail.attachments.find((a) => a.filename === 'han-xu-ly.ics')?.content.toString('utf8') ?? '';
    expect(ics).toContain('DTSTART;VALUE=DATE:20261207');
    expect(ics).toContain(`UID:deadline-${docId}@stc.lamdong.gov.vn`);

    // The digest: its own Reply-To (a reply gets the commands), and each item's reply address.
    await gw.app.registry!.followup.runDigest();
    const digest = await waitFor(() => gw.sink.to(OFFICER).find((m) => m.subject.includes('daily digest')), 20_000, 'digest');
    expect(replyToOf(digest)).toMatch(/^act\+[a-z2-7]{23}@stc\.lamdong\.gov\.vn$/);
    expect(digest.text).toContain(officerAddress);
    const r = await send({ to: replyToOf(digest)!, body: 'xong', id: 'digest-reply' });
    expect(r.result.outcome).toEqual({ kind: 'help', documentId: null });
    expect(r.answer?.text).toContain('địa chỉ trả lời riêng của từng văn bản');
    expect((await docRow()).status).toBe('assigned');
  });

  it('refuses a forged token, another sender and a reply failing DMARC, with an answer and no change', async () => {
    const token = officerAddress.slice(4, officerAddress.indexOf('@'));
    const forged = `act+${token.slice(0, 40)}${token[40] === 'a' ? 'b' : 'a'}${token.slice(41)}@${DOMAIN}`;
    const a = await send({ to: forged, body: 'Đã xử lý.', id: 'forged' });
    expect(a.result.outcome).toMatchObject({ kind: 'refused', code: 'forged-token' });
    expect(a.answer?.to).toEqual([OFFICER]);
    expect(a.answer?.text).toContain('không được cấp');

    const b = await send({ from: OTHER, to: officerAddress, body: 'Xong', id: 'other' });
    expect(b.result.outcome).toMatchObject({ kind: 'refused', code: 'other-sender' });
    expect(b.answer?.to).toEqual([OTHER]);

    const c = await send({ to: officerAddress, body: 'Đã xử lý. Đã báo cáo UBND.', id: 'unsigned', sign: false });
    expect(c.result.outcome).toMatchObject({ kind: 'refused', code: 'unauthenticated' });
    expect(c.answer?.text).toContain('DMARC');

    const stranger = await send({ from: 'someone@elsewhere.example', to: officerAddress, body: 'xong', id: 'stranger', sign: false });
    expect([stranger.result.outcome.kind, stranger.answer]).toEqual(['ignored', undefined]);
    expect((await docRow()).status).toBe('assigned');
  });

  it('ignores out-of-office replies and answers an unreadable reply with the commands', async () => {
    const ooo = await send({
      to: officerAddress,
      body: 'Tôi đang đi công tác đến hết 30/11. Xong việc sẽ trả lời.',
      id: 'ooo',
      subject: 'Trả lời tự động: Giao xử lý văn bản',
      headers: ['Auto-Submitted: auto-replied'],
    });
    expect(ooo.result.outcome).toEqual({ kind: 'ignored', reason: 'auto-reply' });
    expect(ooo.answer).toBeUndefined();

    const help = await send({ to: officerAddress, body: 'Cảm ơn anh, em đã nhận.', id: 'thanks' });
    expect(help.result.outcome).toMatchObject({ kind: 'help', documentId: docId });
    expect(help.answer?.text).toContain('từ chối: <lý do>');
    expect(replyToOf(help.answer!)).toMatch(/^act\+/);
  });

  it('records "gia hạn đến 15/12" from an officer as a request; the leader grants it by reply', async () => {
    const r = await send({ to: officerAddress, body: 'gia han den 15/12 vi can lay y kien cac phong', id: 'extend' });
    expect(r.result.outcome).toMatchObject({ kind: 'applied', command: 'extend' });
    expect(r.answer?.text).toContain('đề nghị gia hạn đến 15/12/2026');
    const [request] = await gw.app.database.db.select().from(deadlineRequests).where(eq(deadlineRequests.documentId, docId));
    expect([request.requestedDue, request.currentDue, request.status, request.reason]).toEqual([
      '2026-12-15',
      '2026-12-07',
      'pending',
      'can lay y kien cac phong',
    ]);
    expect((await docRow()).dueDate).toBe('2026-12-07');

    const toLeader = gw.sink.to(LEADER).find((m) => keyOf(m)?.startsWith(`act-extend:${r.inbound}:`));
    expect(toLeader?.subject).toContain('Đề nghị gia hạn');
    const grant = await send({ from: LEADER, to: replyToOf(toLeader!)!, body: 'Gia hạn đến 15/12.', id: 'grant' });
    expect(grant.result.outcome).toMatchObject({ kind: 'applied', command: 'extend' });
    expect((await docRow()).dueDate).toBe('2026-12-15');
    expect((await gw.app.database.db.select().from(deadlineRequests).where(eq(deadlineRequests.documentId, docId)))[0].status).toBe('granted');
  });

  it('marks the document done with the note and the attached result, and confirms by mail', async () => {
    const r = await send({ to: officerAddress, body: 'Đã xử lý. Đã báo cáo UBND.', id: 'done', pdf: RESULT_PDF });
    expect(r.result).toMatchObject({ outcome: { kind: 'applied', command: 'done', documentId: docId, status: 'done' }, answer: 'sent' });
    const doc = await docRow();
    expect(doc.status).toBe('done');
    expect(doc.handlingNotes).toMatch(/officer@stc\.lamdong\.gov\.vn: Đã báo cáo UBND\.$/);
    expect(r.answer?.text).toContain('đã xử lý xong');
    expect(r.answer?.text).toContain('Kết quả (result): Đã báo cáo UBND.');
    const results = await gw.app.database.db.select().from(documentResults).where(eq(documentResults.documentId, docId));
    expect(results.map((x) => [x.filename, x.messageId])).toEqual([['bao-cao.pdf', `<done@${DOMAIN}>`]]);
    expect((await gw.app.blobs.read(results[0].sha256)).equals(RESULT_PDF)).toBe(true);
    const done = await gw.app.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docId), eq(auditLog.action, 'document.done')));
    expect(done).toHaveLength(1);
    expect(done[0].actor).toBe(OFFICER);
    expect((done[0].data as { via: { messageId: string } }).via.messageId).toBe(`<done@${DOMAIN}>`);
  });

  it('never applies a reply twice: a resent message, a replayed Message-ID, a second "done"', async () => {
    const raw = await replyMail({ to: officerAddress, body: 'Đã xử lý. Đã báo cáo UBND.', id: 'done', pdf: RESULT_PDF });
    const again = await transport(gw.app.smtpPort!).sendMail({ envelope: { from: OFFICER, to: [officerAddress] }, raw });
    expect(again.response).toMatch(/duplicate/);

    const replay = await send({ to: officerAddress, body: 'Xong. Báo cáo lần 2.', id: 'done' });
    expect(replay.result.outcome).toMatchObject({ kind: 'replay' });
    expect(replay.answer?.text).toContain('đã được nhận lúc 09:00 23/11/2026 và đã được xử lý; lệnh không được thực hiện lần nữa');

    const second = await send({ to: officerAddress, body: 'xong', id: 'done-again' });
    expect(second.result.outcome).toMatchObject({ kind: 'not-applied', command: 'done', code: 'already-done' });
    expect(second.answer?.text).toContain('không ghi nhận lần nữa');

    const dones = await gw.app.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docId), eq(auditLog.action, 'document.done')));
    expect(dones).toHaveLength(1);
    const audit = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/audit/verify`, {
      headers: { authorization: `Bearer ${gw.app.config.http.tokens[0].token}` },
    });
    expect(await audit.json()).toMatchObject({ ok: true });
  });
});
