/**
 * Sending for issuance from the add-in (issue 18; docs/issuance.md, "From the add-in"), over the
 * gateway's real HTTP API and one real gateway with two units: an officer of A checks recipients
 * (an ambiguous name lists its candidates), submits a draft with an appendix to A's issuance queue
 * (the officer may not issue it), A's clerk issues it, the document is delivered locally to B, B's
 * clerk registers it, and B's receipt shows up in the pane's status endpoint. Then: a draft the
 * clerk returns (with `vanthu issuance`), and a clerk's direct send of an unsigned document that
 * needs confirming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { runVanthu } from './helpers/cli-run.ts';
import { addSignedIn } from './helpers/console.ts';
import { localUnits, namesakes, UNIT_A, UNIT_B } from './helpers/local-units.ts';

const [A, B] = [UNIT_A, UNIT_B];
const PASSWORD = 'mat-khau-du-dai-1';
const PEOPLE = {
  officer: { email: 'binh@stc.lamdong.invalid', name: 'Trần Thị Bình', role: 'officer', unit: A.id },
  clerk: { email: 'cuong@stc.lamdong.invalid', name: 'Lê Văn Cường', role: 'clerk', unit: A.id },
  clerkB: { email: 'clerk@vpubnd.lamdong.invalid', name: 'Văn thư VP', role: 'clerk', unit: B.id },
} as const;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(gui phat hanh)>>endobj\ntrailer<<>>\n%%EOF\n');
const APPENDIX = Buffer.from('Phụ lục: danh sách đơn vị được kiểm tra\n');

const vanthu = runVanthu;

interface Delivery {
  recipient: string;
  state: string;
  evidence: Array<{ state: string; inboundId: string; note: string | null }>;
}
interface Draft {
  id: string;
  state: string;
  submittedBy: string;
  recipients: Array<{ given: string; address: string; name: string | null }>;
  files: Array<{ filename: string }>;
  returnReason: string | null;
  unsigned: string | null;
  outgoing: { id: string; notation: string; deliveries: Delivery[]; acknowledged: boolean } | null;
}

describe('sending for issuance from the add-in', () => {
  let gw: TestGateway;
  let tokens: Record<keyof typeof PEOPLE, string>;

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        localUnits(cfg, A, B);
        cfg.registry.followup.sweepMs = 500;
        cfg.directory = namesakes();
      },
    });
    tokens = await addSignedIn(gw, PEOPLE, PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  const call = async <T = Record<string, unknown>>(who: keyof typeof PEOPLE, path: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const res = await gw.api(path, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${tokens[who]}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const draftBody = (over: Record<string, unknown> = {}) => ({
    to: ['Văn phòng UBND tỉnh Lâm Đồng'],
    subject: 'Báo cáo tình hình thu chi ngân sách quý IV năm 2026',
    typeCode: 'BC',
    signer: 'Nguyễn Văn An',
    note: 'Đã trình lãnh đạo ký',
    files: [
      { filename: 'bao-cao.pdf', contentType: 'application/pdf', content: PDF.toString('base64') },
      { filename: 'Phụ lục.txt', contentType: 'text/plain', content: APPENDIX.toString('base64') },
    ],
    ...over,
  });
  const auditOf = (id: string) =>
    gw.database.query<{ action: string; actor: string }>("select action, actor from audit_log where entity = 'issuance' and entity_id = $1 order by seq", [id]);

  it('officer submits, clerk issues, B receives and registers, and the receipt reaches the pane', async () => {
    // The recipient check: an abbreviation resolves; a name two agencies share lists both.
    const check = await call<{ items: Array<{ given: string; ok: boolean; address?: string; candidates?: Array<{ name: string; address: string }> }> }>(
      'officer',
      '/api/addin/recipients',
      { to: ['VP UBND tỉnh Lâm Đồng', 'Sở Tư pháp'] },
    );
    expect(check.status).toBe(200);
    expect(check.body.items[0]).toMatchObject({ ok: true, address: B.addresses[0] });
    expect(check.body.items[1].ok).toBe(false);
    expect(check.body.items[1].candidates?.map((c) => c.address).sort()).toEqual(['vanthu@stp.daknong.invalid', 'vanthu@stp.lamdong.invalid']);

    // Submitting with the ambiguous name is refused with the candidates; nothing is queued.
    const refused = await call<{ reason: string; recipients: Array<{ ok: boolean; candidates?: unknown[] }> }>(
      'officer',
      '/api/addin/send',
      draftBody({ to: ['Sở Tư pháp'] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.reason).toBe('recipients');
    expect(refused.body.recipients[0].candidates).toHaveLength(2);
    // An officer may not issue directly (policy: outgoing.issue is the clerk's).
    expect((await call('officer', '/api/addin/send', draftBody({ direct: true }))).status).toBe(403);
    expect((await call<{ items: unknown[] }>('clerk', '/api/issuance')).body.items).toEqual([]);

    const submitted = await call<Draft>('officer', '/api/addin/send', draftBody());
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const id = submitted.body.id;
    expect(submitted.body).toMatchObject({ state: 'pending', submittedBy: PEOPLE.officer.email, outgoing: null });
    expect(submitted.body.recipients).toEqual([expect.objectContaining({ given: 'Văn phòng UBND tỉnh Lâm Đồng', address: B.addresses[0], name: B.name })]);
    expect(submitted.body.files.map((f) => f.filename)).toEqual(['bao-cao.pdf', 'Phụ lục.txt']);

    // The officer's list shows it waiting; the queue is the clerk's, not the officer's.
    expect((await call<{ items: Draft[] }>('officer', '/api/addin/sent')).body.items.map((d) => [d.id, d.state])).toEqual([[id, 'pending']]);
    expect((await call('officer', '/api/issuance')).status).toBe(403);
    expect((await call('officer', `/api/issuance/${id}/issue`, {})).status).toBe(403);
    expect((await call<{ items: Draft[] }>('clerk', '/api/issuance')).body.items.map((d) => d.id)).toEqual([id]);
    // The clerk reads the draft's document before issuing it.
    const file = await gw.api(`/api/issuance/${id}/files/0`, { headers: { authorization: `Bearer ${tokens.clerk}` } });
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);
    // B's clerk does not see A's draft at all.
    expect((await call('clerkB', `/api/issuance/${id}`)).status).toBe(404);

    const issued = await call<Draft>('clerk', `/api/issuance/${id}/issue`, {});
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    expect(issued.body.state).toBe('issued');
    expect(issued.body.outgoing?.notation).toMatch(/^1\/BC-STC-NS$/);
    expect((await call('clerk', `/api/issuance/${id}/issue`, {})).status).toBe(409);
    expect((await call<{ items: Draft[] }>('clerk', '/api/issuance')).body.items).toEqual([]);

    // Delivered locally to B: the status endpoint the pane reads says so.
    const status = () => call<Draft>('officer', `/api/issuance/${id}`).then((r) => r.body);
    const delivered = await waitFor(async () => ((await status()).outgoing?.deliveries[0]?.state === 'delivered' ? status() : null), 20_000, 'local delivery');
    const [evidence] = delivered.outgoing!.deliveries[0].evidence;
    expect(evidence).toMatchObject({ state: 'delivered', note: 'local delivery' });
    // The document and its appendix arrived in B's incoming pipeline.
    const names = await waitFor(
      async () => {
        const rows = await gw.database.query<{ filename: string }>('select filename from message_attachments where message_id = $1 order by idx', [
          evidence.inboundId,
        ]);
        return rows.length >= 2 ? rows.map((r) => r.filename) : null;
      },
      30_000,
      "B's pipeline to read the attachments",
    );
    expect(names).toEqual(['bao-cao.pdf', 'Phụ lục.txt']);

    // B's clerk registers it (review: the throwaway PDF names no issuer or date).
    const item = await waitFor(
      async () =>
        (await call<{ items: Array<{ id: string; status: string; notation: string | null }> }>('clerkB', `/api/documents?unit=${B.id}`)).body.items[0],
      30_000,
      'B to store the document',
    );
    expect(item.notation).toBe(issued.body.outgoing!.notation);
    if (item.status === 'review') {
      const ok = await call('clerkB', `/api/documents/${item.id}/approve`, { corrections: { issuer: A.name, issuedDate: '2026-11-23' } });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    }

    // B's receipt comes back locally and is linked: the pane's list and status show it received.
    const received = await waitFor(async () => ((await status()).outgoing?.acknowledged ? status() : null), 30_000, 'receipt in the status endpoint');
    expect(received.outgoing!.deliveries[0].state).toBe('received');
    expect(received.outgoing!.deliveries[0].evidence.map((e) => e.state)).toEqual(['delivered', 'received']);
    const mine = (await call<{ items: Draft[] }>('officer', '/api/addin/sent')).body.items[0];
    expect(mine.outgoing?.deliveries[0].state).toBe('received');
    expect((await auditOf(id)).map((a) => [a.action, a.actor])).toEqual([
      ['outgoing.submit', PEOPLE.officer.email],
      ['outgoing.issue', PEOPLE.clerk.email],
    ]);
  }, 150_000);

  it('lets the clerk return a draft with a reason (from the CLI), which the officer then reads', async () => {
    const submitted = await call<Draft>(
      'officer',
      '/api/addin/send',
      draftBody({ subject: 'Kế hoạch kiểm tra quyết toán', typeCode: 'KH', files: [draftBody().files[0]] }),
    );
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    expect((await call('clerk', `/api/issuance/${id}/return`, { reason: '  ' })).status).toBe(400);
    // The clerk works the queue from the command line (`vanthu issuance`, through the gateway's API with the clerk's token).
    const env = { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: tokens.clerk };
    const list = await vanthu(['issuance', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { items: Draft[] }).items.map((d) => d.id)).toEqual([id]);
    const back = await vanthu(['issuance', 'return', id, '--reason', 'Thiếu chữ ký của lãnh đạo', '--json'], env);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ state: 'returned', returnReason: 'Thiếu chữ ký của lãnh đạo' });
    expect((await call('clerk', `/api/issuance/${id}/issue`, {})).status).toBe(409);
    const mine = (await call<{ items: Draft[] }>('officer', '/api/addin/sent')).body.items.find((d) => d.id === id);
    expect(mine).toMatchObject({ state: 'returned', returnReason: 'Thiếu chữ ký của lãnh đạo', outgoing: null });
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['outgoing.submit', 'outgoing.return']);
  }, 90_000);

  it('issues a clerk’s own draft at once, and an unsigned one only once confirmed (audited)', async () => {
    gw.config.outgoing.requireSigned = true;
    try {
      const refused = await call<{ reason: string; draftId: string; message: string }>('clerk', '/api/addin/send', draftBody({ direct: true }));
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.reason).toBe('unsigned');
      // Left in the queue, with the reason the officer and the clerk read.
      const draft = await call<Draft>('clerk', `/api/issuance/${refused.body.draftId}`);
      expect(draft.body.state).toBe('pending');
      expect(draft.body.unsigned).toMatch(/chưa được ký số/);
      const confirmed = await call<Draft>('clerk', `/api/issuance/${refused.body.draftId}/issue`, { confirmUnsigned: true });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
      expect(confirmed.body.state).toBe('issued');
      const unsignedAudit = await gw.database.query<{ n: number }>(
        "select count(*)::int as n from audit_log where action = 'outgoing.send_unsigned' and entity_id = $1",
        [confirmed.body.outgoing!.id],
      );
      expect(unsignedAudit[0].n).toBe(1);
    } finally {
      gw.config.outgoing.requireSigned = false;
    }
    // Signed or not checked: the clerk's "Gửi phát hành" issues at once.
    const direct = await call<Draft>('clerk', '/api/addin/send', draftBody({ direct: true, subject: 'Thông báo lịch tiếp công dân', typeCode: 'TB' }));
    expect(direct.status, JSON.stringify(direct.body)).toBe(201);
    expect(direct.body.state).toBe('issued');
    expect(direct.body.outgoing?.notation).toMatch(/\/TB-STC-NS$/);
  });
});
