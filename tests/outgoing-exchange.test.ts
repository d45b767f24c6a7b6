/**
 * Two vanthu gateways exchanging an official document over real SMTP: A (Sở Tài chính) sends an
 * edXML package to B (Văn phòng UBND) → B stores it and its clerk registers it → B's receipt makes
 * A show "received" → B marks it done → B's done notice makes A show "handled".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../gateway/config/load.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';

const A = { id: 'stc', name: 'Sở Tài chính tỉnh Lâm Đồng', organId: '000.00.12.H41', addresses: ['vanthu@stc.lamdong.gov.vn'] };
const B = { id: 'vpubnd', name: 'Văn phòng UBND tỉnh Lâm Đồng', organId: '000.00.01.H41', addresses: ['vanthu@vpubnd.lamdong.gov.vn'] };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
// Another file: B's registry treats the same attached file in two messages as one document.
const REPORT_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(bao cao)>>endobj\ntrailer<<>>\n%%EOF\n');

function configureUnit(cfg: Config, self: typeof A, other: typeof A, otherSmtpPort: number): void {
  cfg.units = [self];
  cfg.directory = [{ name: other.name, address: other.addresses[0], organId: other.organId, aliases: [] }];
  cfg.mail.from = self.addresses[0];
  cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: otherSmtpPort, secure: false, requireTls: false, user: null, pass: null };
  cfg.outgoing.units[self.id] = { codeSuffix: 'STC-NS', dkim: null, smime: null };
  cfg.outgoing.delivery = { attempts: 5, backoffMs: 200, concurrency: 2 };
  cfg.registry.followup.sweepMs = 500;
}

type Delivery = { recipient: string; state: string; response: string | null; evidence: Array<{ state: string }> };

describe.each(BACKENDS)('two gateways exchange a document (%s)', (backend) => {
  let a: TestGateway;
  let b: TestGateway;
  let token: string;

  beforeAll(async () => {
    // A first (its smarthost is fixed below, once B's port is known); B's mailer points at A.
    a = await startTestGateway({ backend, configure: (cfg) => configureUnit(cfg, A, B, 1) });
    b = await startTestGateway({ backend, configure: (cfg) => configureUnit(cfg, B, A, a.smtpPort!) });
    a.config.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: b.smtpPort!, secure: false, requireTls: false, user: null, pass: null };
    // B's clerk, who registers what arrives.
    await json(
      post(b, '/api/users', { email: 'clerk@vpubnd.lamdong.gov.vn', name: 'Văn thư VP', unit: 'vpubnd', role: 'clerk', password: 'mat-khau-du-dai-1' }),
      201,
    );
    token = (
      await json<{ token: string }>(
        fetch(`http://127.0.0.1:${b.httpPort}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'clerk@vpubnd.lamdong.gov.vn', password: 'mat-khau-du-dai-1' }),
        }),
      )
    ).token;
  }, 90_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const body = await r.text();
    expect(r.status, body).toBe(status);
    return JSON.parse(body) as T;
  };
  const post = (gw: TestGateway, path: string, body: unknown, token?: string) =>
    gw.api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const recipientOf = async (id: string) => (await json<{ deliveries: Delivery[] }>(a.api(`/api/outgoing/${id}`))).deliveries[0];

  it('sends, is registered by the recipient, and follows receipt and completion', async () => {
    // A's officer (service token here) picks B from the directory and sends.
    const found = await json<{ items: Array<{ address: string }> }>(a.api('/api/directory?q=van phong ubnd'));
    expect(found.items.map((i) => i.address)).toEqual(['vanthu@vpubnd.lamdong.gov.vn']);
    const sent = await json<{ id: string; notation: string; documentId: string }>(
      post(a, '/api/outgoing', {
        unit: 'stc',
        to: [B.name],
        typeCode: 'KH',
        typeName: 'Kế hoạch',
        subject: 'Kiểm tra quyết toán ngân sách năm 2026',
        signer: 'Nguyễn Văn An',
        edxml: true,
        document: { filename: 'ke-hoach.pdf', content: PDF.toString('base64') },
      }),
      201,
    );
    expect(sent.notation).toBe('1/KH-STC-NS');
    expect(sent.documentId).toContain('1/KH-STC-NS');
    const delivered = await waitFor(async () => ((await recipientOf(sent.id)).state === 'sent' ? recipientOf(sent.id) : null), 20_000, 'A → B over SMTP');
    expect(delivered.response).toMatch(/^250/);

    // B: the message lands as a review item (unsigned); B's clerk registers it.
    const asClerk = { headers: { authorization: `Bearer ${token}` } };
    const item = await waitFor(
      async () => {
        const list = await json<{ items: Array<{ id: string; status: string; notation: string | null }> }>(b.api('/api/documents?unit=vpubnd', asClerk));
        return list.items.find((d) => d.status === 'review' || d.status === 'received' || d.status === 'assigned');
      },
      30_000,
      'B to store the document',
    );
    expect(item.notation).toBe('1/KH-STC-NS');
    if (item.status === 'review') await json(post(b, `/api/documents/${item.id}/approve`, {}, token));

    // B's receipt travels back to A: A's recipient row moves to "received".
    const received = await waitFor(async () => ((await recipientOf(sent.id)).state === 'received' ? recipientOf(sent.id) : null), 30_000, 'receipt at A');
    expect(received.evidence.map((e) => e.state)).toContain('received');

    // B finishes; its done notice makes A show "handled" and the document acknowledged.
    await json(post(b, `/api/documents/${item.id}/status`, { status: 'done', note: 'Đã kiểm tra xong' }));
    await waitFor(async () => ((await recipientOf(sent.id)).state === 'handled' ? true : null), 30_000, 'done notice at A');
    const view = await json<{ acknowledged: boolean }>(a.api(`/api/outgoing/${sent.id}`));
    expect(view.acknowledged).toBe(true);
  }, 120_000);

  it('follows a plain (non-edXML) document by Message-ID: the mail receipt, then the done notice', async () => {
    const sent = await json<{ id: string; notation: string; documentId: string | null }>(
      post(a, '/api/outgoing', {
        unit: 'stc',
        to: ['vanthu@vpubnd.lamdong.gov.vn'],
        typeCode: 'BC',
        subject: 'Tình hình thu chi ngân sách quý IV năm 2026',
        signer: 'Nguyễn Văn An',
        document: { filename: 'bao-cao.pdf', content: REPORT_PDF.toString('base64') },
      }),
      201,
    );
    expect(sent.documentId).toBeNull();
    await waitFor(async () => ((await recipientOf(sent.id)).state === 'sent' ? true : null), 20_000, 'A → B over SMTP');

    const asClerk = { headers: { authorization: `Bearer ${token}` } };
    const item = await waitFor(
      async () => {
        const list = await json<{ items: Array<{ id: string; status: string; notation: string | null }> }>(b.api('/api/documents?unit=vpubnd', asClerk));
        return list.items.find((d) => d.notation === sent.notation);
      },
      30_000,
      'B to store the plain document',
    );
    // The plain PDF names no issuer or date the classifier finds: the clerk supplies them (Decree 30's required fields).
    if (item.status === 'review')
      await json(post(b, `/api/documents/${item.id}/approve`, { corrections: { issuer: 'Sở Tài chính tỉnh Lâm Đồng', issuedDate: '2026-11-23' } }, token));

    const received = await waitFor(async () => ((await recipientOf(sent.id)).state === 'received' ? recipientOf(sent.id) : null), 30_000, 'mail receipt at A');
    expect(received.evidence.map((e) => e.state)).toEqual(['received']);
    await json(post(b, `/api/documents/${item.id}/status`, { status: 'done' }));
    const handled = await waitFor(async () => ((await recipientOf(sent.id)).state === 'handled' ? recipientOf(sent.id) : null), 30_000, 'done notice at A');
    expect(handled.evidence.map((e) => e.state)).toEqual(['received', 'handled']);
  }, 120_000);
});
