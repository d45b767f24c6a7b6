/**
 * Độ khẩn and độ mật of outgoing documents (issue 18; docs/issuance.md, "Urgency and secrecy";
 * migration 0017). Two units of one gateway, local delivery: the urgency A gives a document is in
 * A's outgoing book (JSON, CSV) and reaches B — by the subject's mark for plain mail, by the edXML
 * Priority for a package, and through the issuance queue — so B's book gets the same urgency. A
 * secret document is refused before numbering (ordinary e-mail does not carry state secrets); the
 * book still records one registered by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { localUnits, UNIT_A, UNIT_B } from './helpers/local-units.ts';

const [A, B] = [UNIT_A, UNIT_B];
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(urgency)>>endobj\ntrailer<<>>\n%%EOF\n');
const json = { 'content-type': 'application/json' };

describe.each(BACKENDS)('urgency and secrecy of outgoing documents (%s)', (backend) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      backend,
      configure: (cfg) => {
        localUnits(cfg, A, B);
      },
    });
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  const post = async (path: string, body: unknown) => {
    const r = await gw.api(path, { method: 'POST', headers: json, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const send = (extra: Record<string, unknown>, subject: string) =>
    post('/api/outgoing', {
      unit: A.id,
      to: ['Văn phòng UBND tỉnh Lâm Đồng'],
      typeCode: 'BC',
      subject,
      signer: 'Nguyễn Văn An',
      document: { filename: 'bao-cao.pdf', content: PDF.toString('base64') },
      ...extra,
    });
  const entry = async (notation: string) =>
    (
      await gw.database.query<{ year: number; urgency: string; secrecy: string }>(
        'select year, urgency, secrecy from outgoing_entries where unit_id = $1 and notation = $2',
        [A.id, notation],
      )
    )[0];
  /** B's registry record of the document A numbered `notation`. */
  const atB = (notation: string) =>
    waitFor(
      async () => {
        const r = await gw.api(`/api/documents?unit=${B.id}`);
        const items = ((await r.json()) as { items: Array<{ notation: string | null; urgency: string; secrecy: string }> }).items;
        return items.find((d) => d.notation === notation) ?? null;
      },
      30_000,
      `B to store ${notation}`,
    );

  it('books the urgency, marks the mail with it, and B registers the same urgency (plain mail, edXML, issuance queue)', async () => {
    const plain = await send({ urgency: 'hoa_toc' }, 'Báo cáo thu chi ngân sách quý IV');
    expect(plain.status, JSON.stringify(plain.body)).toBe(201);
    expect(plain.body).toMatchObject({ urgency: 'hoa_toc', subject: expect.stringMatching(/^\[HỎA TỐC\] Báo cáo số \d+\/BC-STC-NS: /) });
    const edxml = await send({ urgency: 'thuong_khan', edxml: true }, 'Báo cáo quyết toán vốn đầu tư');
    expect(edxml.status, JSON.stringify(edxml.body)).toBe(201);
    const drafted = await post('/api/addin/send', {
      unit: A.id,
      to: ['Văn phòng UBND tỉnh Lâm Đồng'],
      typeCode: 'BC',
      subject: 'Báo cáo tiến độ giải ngân',
      urgency: 'khan',
      files: [{ filename: 'giai-ngan.pdf', content: PDF.toString('base64') }],
      direct: true,
    });
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
    expect(drafted.body).toMatchObject({ state: 'issued', urgency: 'khan' });
    const queued = (drafted.body.outgoing as { notation: string }).notation;
    const normal = await send({}, 'Báo cáo công khai ngân sách');
    expect(normal.status).toBe(201);

    const sent = [
      [plain.body.notation as string, 'hoa_toc'],
      [edxml.body.notation as string, 'thuong_khan'],
      [queued, 'khan'],
      [normal.body.notation as string, 'normal'],
    ] as const;
    for (const [notation, urgency] of sent) {
      expect(await entry(notation)).toMatchObject({ urgency, secrecy: 'normal' });
      expect(await atB(notation), notation).toMatchObject({ urgency, secrecy: 'normal' });
    }

    // The outgoing book shows it (JSON and the CSV a clerk prints), in the remarks column.
    const { year } = await entry(plain.body.notation as string);
    const book = await gw.api(`/api/books/${A.id}/${year}?kind=outgoing`);
    const rows = ((await book.json()) as { rows: Array<{ notation: string; remarks: string }> }).rows;
    expect(rows.map((r) => [r.notation, r.remarks])).toEqual(
      sent.map(([n, u]) => [n, { hoa_toc: 'Độ khẩn: Hỏa tốc', thuong_khan: 'Độ khẩn: Thượng khẩn', khan: 'Độ khẩn: Khẩn', normal: '' }[u]]),
    );
    const csv = await (await gw.api(`/api/books/${A.id}/${year}?kind=outgoing&format=csv`)).text();
    expect(csv).toContain('Độ khẩn: Hỏa tốc');
  }, 150_000);

  it('refuses a secret document before numbering; an unknown urgency is a 400; a hand-registered entry keeps its marks', async () => {
    const count = async () => (await gw.database.query<{ n: number }>('select count(*)::int as n from outgoing_entries', []))[0].n;
    const before = await count();
    const secret = await send({ secrecy: 'mat', urgency: 'khan' }, 'Báo cáo mật');
    expect(secret.status).toBe(409);
    expect(secret.body).toMatchObject({ reason: 'secret', message: expect.stringMatching(/Văn bản mật \(MẬT\) không được gửi qua thư điện tử/) });
    const draft = await post('/api/addin/send', {
      unit: A.id,
      to: [B.id],
      subject: 'Báo cáo tối mật',
      secrecy: 'toi_mat',
      files: [{ filename: 'x.pdf', content: PDF.toString('base64') }],
    });
    expect(draft.status).toBe(409);
    const odd = await send({ urgency: 'rat_khan' }, 'Báo cáo');
    expect(odd.status).toBe(400);
    expect(await count()).toBe(before);
    const issuance = await gw.database.query<{ n: number }>("select count(*)::int as n from issuance_requests where subject like '%tối mật%'", []);
    expect(issuance[0].n).toBe(0);

    // Sent on paper through the secret channel, numbered in the same book.
    const byHand = await post('/api/books/outgoing', {
      unit: A.id,
      codeSuffix: 'STC-NS',
      subject: 'Kế hoạch bảo vệ bí mật nhà nước',
      urgency: 'hoa_toc',
      secrecy: 'mat',
    });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(201);
    expect(byHand.body).toMatchObject({ urgency: 'hoa_toc', secrecy: 'mat' });
    const book = await gw.api(`/api/books/${A.id}/${byHand.body.year}?kind=outgoing`);
    const rows = ((await book.json()) as { rows: Array<{ notation: string; remarks: string }> }).rows;
    expect(rows.find((r) => r.notation === byHand.body.notation)?.remarks).toBe('Độ khẩn: Hỏa tốc; Độ mật: Mật');
  }, 60_000);
});
