/**
 * Act by e-mail, the other commands (docs/act-by-email.md, "Commands"): "xem" mails the document
 * again, "ý kiến:" comments, an officer may not "chuyển cho" but may "từ chối:", the leaders are
 * told and reassign by replying, and the officer's old reply address then acts on nothing.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { documentComments, documents, users } from '../gateway/registry/schema.ts';
import { BACKENDS } from './helpers/databases.ts';
import { waitFor } from './helpers/gateway.ts';
import { keyOf, LEADER, OFFICER, OTHER, replyToOf, startActGateway, type ActGateway } from './helpers/act-mail.ts';

const DOCUMENT_PDF = Buffer.from('%PDF-1.4\n% công văn 456\n%%EOF\n');

describe.each(BACKENDS)('act by e-mail commands on %s', (backend) => {
  let gw: ActGateway;
  const clock = new ManualClock('2026-11-23T02:00:00Z');
  let docId: string;
  let officerAddress: string;

  const docRow = async () => (await gw.app.database.db.select().from(documents).where(eq(documents.id, docId)))[0];

  beforeAll(async () => {
    gw = await startActGateway(backend, clock);
    docId = await gw.arrive('doc456', DOCUMENT_PDF);
    const mail = await waitFor(() => gw.sink.to(OFFICER).find((m) => m.subject.startsWith('Giao xử lý')), 20_000, 'assignment mail');
    officerAddress = replyToOf(mail)!;
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('"xem" sends the document again; "ý kiến:" adds a comment', async () => {
    const view = await gw.send({ to: officerAddress, body: 'Xem lại', id: 'view' });
    expect(view.result.outcome).toMatchObject({ kind: 'applied', command: 'view' });
    expect(view.answer?.attachments.map((a) => [a.filename, a.content.equals(DOCUMENT_PDF)])).toEqual([['vb.pdf', true]]);

    const comment = await gw.send({ to: officerAddress, body: 'Y kien: de nghi phong Ngan sach phoi hop', id: 'comment' });
    expect(comment.result.outcome).toMatchObject({ kind: 'applied', command: 'comment' });
    const comments = await gw.app.database.db.select().from(documentComments).where(eq(documentComments.documentId, docId));
    expect(comments.map((c) => [c.actor, c.body])).toEqual([[OFFICER, 'de nghi phong Ngan sach phoi hop']]);
  });

  it('an officer may not reassign, but may decline; the leaders are told and reassign by replying', async () => {
    const forward = await gw.send({ to: officerAddress, body: 'chuyển cho Trần Thị Bình', id: 'forward' });
    expect(forward.result.outcome).toMatchObject({ kind: 'not-applied', command: 'forward', code: 'forbidden' });
    expect(forward.answer?.text).toContain('từ chối');
    expect((await docRow()).assigneeId).not.toBeNull();

    const decline = await gw.send({ to: officerAddress, body: 'Từ chối: không thuộc lĩnh vực phụ trách', id: 'decline' });
    expect(decline.result.outcome).toMatchObject({ kind: 'applied', command: 'decline', status: 'received' });
    const declined = await docRow();
    expect([declined.status, declined.assigneeId, declined.department]).toEqual(['received', null, 'ns']);
    expect(declined.handlingNotes).toContain('từ chối: không thuộc lĩnh vực phụ trách');

    const told = gw.sink.to(LEADER).find((m) => keyOf(m)?.startsWith(`act-decline:${decline.inbound}:`));
    expect(told?.subject).toContain('từ chối');
    const reassign = await gw.send({ from: LEADER, to: replyToOf(told!)!, body: 'Chuyển cho binh', id: 'reassign' });
    expect(reassign.result.outcome).toMatchObject({ kind: 'applied', command: 'forward', status: 'assigned' });
    const [binh] = await gw.app.database.db.select().from(users).where(eq(users.email, OTHER));
    expect((await docRow()).assigneeId).toBe(binh.id);
    const assigned = await waitFor(() => gw.sink.to(OTHER).find((m) => m.subject.startsWith('Giao xử lý')), 20_000, 'assignment to the new officer');
    expect(replyToOf(assigned)).toMatch(/^act\+/);
    expect(replyToOf(assigned)).not.toBe(officerAddress);

    // The first officer's address still verifies, but the item is no longer theirs: the policy says no.
    const late = await gw.send({ to: officerAddress, body: 'xong', id: 'late' });
    expect(late.result.outcome).toMatchObject({ kind: 'not-applied', command: 'done', code: 'not-visible' });
    expect((await docRow()).status).toBe('assigned');
  });
});
