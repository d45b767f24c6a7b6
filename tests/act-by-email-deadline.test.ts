/**
 * A leader who sets the deadline directly (POST /api/documents/{id}/deadline) closes the item's
 * pending extension requests: they become `granted`, one `document.extension_grant` audit entry
 * lists them, and each officer who asked is mailed the new deadline with a reply address to go on
 * (docs/act-by-email.md, "Extension requests"). Real gateway, SMTP both ways, injected clock.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { deadlineRequests } from '../gateway/registry/replies/schema.ts';
import { auditLog, documents } from '../gateway/registry/schema.ts';
import { keyOf, LEADER, OFFICER, replyToOf, startActGateway, type ActGateway } from './helpers/act-mail.ts';
import { openEvents } from './helpers/events.ts';
import { waitFor } from './helpers/gateway.ts';

describe('setting a deadline directly', { timeout: 120_000 }, () => {
  let gw: ActGateway;
  const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội
  let leaderToken: string;
  let docId: string;

  beforeAll(async () => {
    gw = await startActGateway('pglite', clock);
    const res = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: LEADER, password: 'mật khẩu 2026' }),
    });
    leaderToken = ((await res.json()) as { token: string }).token;
    docId = await gw.arrive('direct-due');
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('closes the pending requests, audits it and mails the officer who asked', async () => {
    const assignment = await waitFor(() => gw.sink.to(OFFICER).find((m) => m.subject.startsWith('Giao xử lý')), 20_000, 'assignment');
    const ask = await gw.send({ to: replyToOf(assignment)!, body: 'Gia hạn đến 15/12 vì chờ số liệu', id: 'direct-ask' });
    expect(ask.result.outcome).toMatchObject({ kind: 'applied', command: 'extend' });
    const [request] = await gw.app.database.db.select().from(deadlineRequests).where(eq(deadlineRequests.documentId, docId));
    expect(request.status).toBe('pending');

    const res = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/documents/${docId}/deadline`, {
      method: 'POST',
      headers: { authorization: `Bearer ${leaderToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dueDate: '2026-12-18' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dueDate: string; closedRequests: string[] };
    expect([body.dueDate, body.closedRequests]).toEqual(['2026-12-18', [request.id]]);

    const [after] = await gw.app.database.db.select().from(deadlineRequests).where(eq(deadlineRequests.id, request.id));
    expect(after.status).toBe('granted');
    expect((await gw.app.database.db.select().from(documents).where(eq(documents.id, docId)))[0].dueDate).toBe('2026-12-18');
    const grants = await gw.app.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docId), eq(auditLog.action, 'document.extension_grant')));
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ actor: LEADER, data: { settled: [request.id], granted: '2026-12-18' } });

    const told = await waitFor(() => gw.sink.to(OFFICER).find((m) => keyOf(m) === `extension-decision:${request.id}`), 20_000, 'decision mail');
    expect(told.subject).toContain('Đồng ý gia hạn');
    expect(told.text).toContain('18/12/2026');
    expect(replyToOf(told)).toMatch(/^act\+/);

    // The list shows it decided, by the leader, with the date set.
    const list = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/deadline-requests?status=all`, { headers: { authorization: `Bearer ${leaderToken}` } });
    const items = ((await list.json()) as { items: Array<{ id: string; status: string; decision: { by: string; dueDate: string } | null }> }).items;
    expect(items.find((i) => i.id === request.id)).toMatchObject({ status: 'granted', decision: { by: LEADER, dueDate: '2026-12-18' } });
  });

  it("tells the leader's open lists of an extension asked by reply, as of one asked in the console (GET /api/events)", async () => {
    const other = await gw.arrive('events-due');
    const assignment = await waitFor(
      () => gw.sink.to(OFFICER).find((m) => m.subject.startsWith('Giao xử lý') && m.subject.includes('events-due/UBND-VX')),
      20_000,
      'assignment',
    );
    const events = await openEvents(`http://127.0.0.1:${gw.app.httpPort}`, leaderToken);
    try {
      const ask = await gw.send({ to: replyToOf(assignment)!, body: 'Gia hạn đến 11/12 vì chờ ý kiến Kho bạc', id: 'events-ask' });
      expect(ask.result.outcome).toMatchObject({ kind: 'applied', command: 'extend', documentId: other, unitId: 'stc' });
      // Then a change made through the API, whose event comes after the reply's (one publisher, in order)
      // or with it (changes within EVENT_BATCH_MS of an earlier one go out together, gateway/http/events.ts):
      // without the reply's event, the first one heard would name only the commented document.
      const comment = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/documents/${docId}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${leaderToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'Đề nghị phòng Ngân sách báo cáo tiến độ' }),
      });
      expect(comment.status).toBe(201);
      expect(await events.firstDocuments()).toContain(other);
      await events.until(new RegExp(`"documents":\\["${docId}"\\]`));
    } finally {
      events.close();
    }
  });
});
