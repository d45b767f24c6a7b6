/**
 * A crash while issuing (issue 18; docs/issuance.md, "A crash while issuing"): drafts left
 * `issuing` in the real database by a process that died — one before its number was taken, one
 * after the number was taken but before the document was issued and sent, one claimed a moment
 * ago — and a gateway started on that database. The first goes back to the clerk's queue, the
 * second is issued and delivered with the number it had (no second number), the third is left to
 * the process that holds it; the first, issued again, gets the next number.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { ManualClock } from '../gateway/clock.ts';
import { silentLogger } from '../gateway/log.ts';
import { sendClaimed } from '../gateway/outgoing/issuance-claim.ts';
import { issuanceRequests } from '../gateway/outgoing/schema.ts';
import { registerOutgoing } from '../gateway/registry/books/books.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { localUnits, UNIT_A, UNIT_B } from './helpers/local-units.ts';

const [A, B] = [UNIT_A, UNIT_B];
const CLERK = { email: 'cuong@stc.lamdong.invalid', name: 'Lê Văn Cường', role: 'clerk', unit: A.id, password: 'mat-khau-du-dai-1' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(phat hanh lai)>>endobj\ntrailer<<>>\n%%EOF\n');
const T0 = '2026-12-03T02:00:00Z';

interface DraftRow {
  id: string;
  state: string;
  last_error: string | null;
  outgoing_id: string | null;
  entry_id: string | null;
  decided_by: string | null;
}

describe('drafts a crash left issuing', () => {
  const clock = new ManualClock(T0);
  let gw: TestGateway;
  let second: Vanthu | null = null;
  let token = '';

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      clock,
      configure: (cfg) => {
        localUnits(cfg, A, B);
      },
    });
    const created = await gw.api('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CLERK) });
    expect(created.status, await created.text()).toBe(201);
    const login = await fetch(`http://127.0.0.1:${gw.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: CLERK.email, password: CLERK.password }),
    });
    token = ((await login.json()) as { token: string }).token;
  }, 90_000);

  afterAll(async () => {
    await second?.stop();
    await gw?.storage.cleanup();
  });

  const port = () => (second ?? gw).httpPort;
  const call = async (path: string, json?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port()}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  };
  const submit = async (subject: string) => {
    const r = await call('/api/addin/send', {
      to: [B.name],
      subject,
      typeCode: 'BC',
      signer: 'Nguyễn Văn An',
      files: [{ filename: 'bao-cao.pdf', contentType: 'application/pdf', content: PDF.toString('base64') }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const db = () => (second ?? gw).database;
  const draft = async (id: string) => (await db().query<DraftRow>('select * from issuance_requests where id = $1', [id]))[0];
  /** What a process killed while issuing leaves behind: the claim, and the number when it got that far. */
  const leaveIssuing = (id: string, claimId: string, updatedAt: Date, entryId: string | null) =>
    db().query(
      `update issuance_requests set state = 'issuing', claim_id = $2, claimed_by = $3, issue_options = $4, entry_id = $5, updated_at = $6 where id = $1`,
      [id, claimId, CLERK.email, JSON.stringify({ confirmUnsigned: false, edxml: false, smime: false, senderEmail: CLERK.email }), entryId, updatedAt],
    );

  it('gives back the unnumbered one, issues the numbered one with its number once, leaves a fresh claim alone', async () => {
    const early = await submit('Báo cáo quyết toán năm 2026 (gián đoạn trước khi lấy số)');
    const numbered = await submit('Báo cáo thu chi ngân sách quý IV (gián đoạn sau khi lấy số)');
    const fresh = await submit('Báo cáo công khai ngân sách (đang phát hành)');
    // The crashed process took number 1 for the second draft in the book before dying.
    const rt = gw.registry!.rt;
    const entry = await registerOutgoing(
      rt.db,
      {
        unitId: A.id,
        codeSuffix: 'STC-NS',
        typeCode: 'BC',
        typeName: 'Báo cáo',
        subject: 'Báo cáo thu chi ngân sách quý IV',
        signer: 'Nguyễn Văn An',
        recipients: [B.name],
      },
      CLERK.email,
      clock,
      rt.tz,
    );
    expect(entry.notation).toBe('1/BC-STC-NS');
    await leaveIssuing(early, 'c-dead-1', new Date(T0), null);
    await leaveIssuing(numbered, 'c-dead-2', new Date(T0), entry.id);
    await leaveIssuing(fresh, 'c-live-3', new Date(Date.parse(T0) + 55 * 60_000), null);
    // Claims of a few seconds are not stale: the running gateway's sweeps leave all three alone.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await draft(early)).state).toBe('issuing');

    // The process is gone; an hour later the gateway starts again on the same database.
    await gw.stop();
    clock.advance(60 * 60_000);
    second = await startVanthu(gw.config, 'all', silentLogger, { clock });

    const back = await waitFor(async () => ((await draft(early)).state === 'pending' ? draft(early) : null), 15_000, 'the unnumbered draft back in the queue');
    expect(back.last_error).toContain('nothing was sent');
    const issued = await waitFor(async () => ((await draft(numbered)).state === 'issued' ? draft(numbered) : null), 15_000, 'the numbered draft issued');
    expect(issued.decided_by).toBe(CLERK.email);
    const sent = await db().query<{ id: string; notation: string; entry_id: string }>('select id, notation, entry_id from outgoing_messages', []);
    expect(sent).toEqual([{ id: issued.outgoing_id, notation: '1/BC-STC-NS', entry_id: entry.id }]);
    // Delivered locally to B with the number it had.
    await waitFor(
      async () => {
        const d = await db().query<{ state: string }>('select state from outgoing_deliveries where outgoing_id = $1', [issued.outgoing_id]);
        return d.length === 1 && d[0].state === 'delivered';
      },
      20_000,
      'delivery to B',
    );
    expect((await draft(fresh)).state).toBe('issuing');
    const audit = await db().query<{ action: string; entity_id: string; data: Record<string, unknown> }>(
      "select action, entity_id, data from audit_log where entity = 'issuance' and action in ('outgoing.issue', 'outgoing.issue_interrupted') order by seq",
      [],
    );
    expect(audit).toEqual([
      expect.objectContaining({ action: 'outgoing.issue_interrupted', entity_id: early }),
      expect.objectContaining({ action: 'outgoing.issue', entity_id: numbered, data: expect.objectContaining({ notation: '1/BC-STC-NS', repaired: true }) }),
    ]);

    // The one given back is issued again by the clerk: the next number, not a second 1.
    const again = await call(`/api/issuance/${early}/issue`, {});
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect((again.body.outgoing as { notation: string }).notation).toBe('2/BC-STC-NS');
    const book = await db().query<{ notation: string }>("select notation from outgoing_entries where unit_id = 'stc' order by number", []);
    expect(book.map((b) => b.notation)).toEqual(['1/BC-STC-NS', '2/BC-STC-NS']);
  }, 90_000);

  it('an issuing whose claim was taken over numbers nothing and sends nothing', async () => {
    const id = await submit('Báo cáo tiến độ giải ngân (hai tiến trình)');
    await leaveIssuing(id, 'c-slow', new Date(clock.now()), null);
    // A repair (or another process) took the draft over while the slow one was still going.
    await db().query("update issuance_requests set claim_id = 'c-repair' where id = $1", [id]);
    const rt = second!.registry!.rt;
    const [claimed] = await rt.db.select().from(issuanceRequests).where(eq(issuanceRequests.id, id));
    const before = await db().query<{ n: number }>('select count(*)::int as n from outgoing_entries', []);
    const enqueued: string[] = [];
    const slow = { row: { ...claimed, claimId: 'c-slow' }, claimId: 'c-slow', actor: CLERK.email, opts: {} };
    await expect(sendClaimed(rt, second!.blobs, async (ids) => void enqueued.push(...ids), slow)).rejects.toMatchObject({ status: 409 });
    // Its number was rolled back with the claim check; nothing was recorded or queued; the draft is the repair's.
    expect(await db().query<{ n: number }>('select count(*)::int as n from outgoing_entries', [])).toEqual(before);
    expect(enqueued).toEqual([]);
    expect(await db().query('select id from outgoing_messages where subject like $1', ['%hai tiến trình%'])).toEqual([]);
    expect(await draft(id)).toMatchObject({ state: 'issuing', entry_id: null });
  }, 60_000);
});
