/**
 * Local delivery (issue 18): two units served by one gateway send to each other without DNS or
 * any SMTP hop. The transport of this gateway points at a port that refuses (127.0.0.1:9), so a
 * document or receipt that tried to leave the process would never arrive: A's document reaches B's
 * incoming pipeline (stored through the durable accept, source "local"), A's book shows it
 * delivered, B registers it, and B's receipt comes back to A's book the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../gateway/config/load.ts';
import { LocalFirstTransport } from '../gateway/notify/local.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { localUnits, UNIT_A, UNIT_B } from './helpers/local-units.ts';
import { startRawSink } from './helpers/mail-sink.ts';

const [A, B] = [UNIT_A, UNIT_B];
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(local delivery)>>endobj\ntrailer<<>>\n%%EOF\n');

type Delivery = { recipient: string; state: string; response: string | null; evidence: Array<{ state: string; inboundId: string; note: string | null }> };

describe.each(BACKENDS)('local delivery between two units of one gateway (%s)', (backend) => {
  let gw: TestGateway;
  let clerk: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      backend,
      configure: (cfg) => {
        localUnits(cfg, A, B);
        cfg.registry.followup.sweepMs = 500;
      },
    });
    const created = await gw.api('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clerk@vpubnd.lamdong.invalid', name: 'Văn thư VP', unit: B.id, role: 'clerk', password: 'mat-khau-du-dai-1' }),
    });
    expect(created.status, await created.text()).toBe(201);
    const login = await fetch(`http://127.0.0.1:${gw.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clerk@vpubnd.lamdong.invalid', password: 'mat-khau-du-dai-1' }),
    });
    clerk = ((await login.json()) as { token: string }).token;
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  const get = async <T>(path: string, token?: string): Promise<T> => {
    const r = await gw.api(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const body = await r.text();
    expect(r.status, body).toBe(200);
    return JSON.parse(body) as T;
  };

  it('delivers A → B into B’s pipeline, marks it delivered, and brings B’s receipt back to A', async () => {
    const res = await gw.api('/api/outgoing', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        unit: A.id,
        to: ['Văn phòng UBND tỉnh Lâm Đồng'],
        typeCode: 'BC',
        subject: 'Báo cáo tình hình thu chi ngân sách năm 2026',
        signer: 'Nguyễn Văn An',
        document: { filename: 'bao-cao.pdf', content: PDF.toString('base64') },
      }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(201);
    const sent = JSON.parse(body) as { id: string; notation: string };
    const recipient = async () => (await get<{ deliveries: Delivery[] }>(`/api/outgoing/${sent.id}`)).deliveries[0];

    const delivered = await waitFor(async () => ((await recipient()).state === 'delivered' ? recipient() : null), 20_000, 'local delivery');
    expect(delivered.recipient).toBe(B.addresses[0]);
    expect(delivered.response).toMatch(/^250 2\.0\.0 local delivery: queued as /);
    const [evidence] = delivered.evidence;
    expect(evidence).toMatchObject({ state: 'delivered', note: 'local delivery' });

    // Stored for B through the durable accept: a committed inbound row, source "local", B's unit.
    const rows = await gw.database.query<{ source: string; unit_ids: string[]; rcpt_to: string[]; mail_from: string }>(
      'select source, unit_ids, rcpt_to, mail_from from inbound_messages where id = $1',
      [evidence.inboundId],
    );
    expect(rows).toEqual([{ source: 'local', unit_ids: [B.id], rcpt_to: [B.addresses[0]], mail_from: A.addresses[0] }]);

    // B's clerk registers it (review: the throwaway PDF names no issuer or date).
    const item = await waitFor(
      async () => (await get<{ items: Array<{ id: string; status: string; notation: string | null }> }>(`/api/documents?unit=${B.id}`, clerk)).items[0],
      30_000,
      'B to store the document',
    );
    expect(item.notation).toBe(sent.notation);
    if (item.status === 'review') {
      const ok = await gw.api(`/api/documents/${item.id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clerk}` },
        body: JSON.stringify({ corrections: { issuer: A.name, issuedDate: '2026-11-23' } }),
      });
      expect(ok.status, await ok.text()).toBe(200);
    }

    // B's receipt goes to A's unit address: local again, linked to the delivery as "received".
    const received = await waitFor(async () => ((await recipient()).state === 'received' ? recipient() : null), 30_000, 'receipt at A');
    expect(received.evidence.map((e) => e.state)).toEqual(['delivered', 'received']);
    const receipt = await gw.database.query<{ source: string; unit_ids: string[] }>('select source, unit_ids from inbound_messages where id = $1', [
      received.evidence[1].inboundId,
    ]);
    expect(receipt).toEqual([{ source: 'local', unit_ids: [A.id] }]);
  }, 120_000);
});

describe('local delivery in a worker process (no accept of its own)', () => {
  it("hands a local unit's mail to the gateway's own SMTP listener, never to the smarthost or DNS", async () => {
    const own = await startRawSink({ queuedAs: 'OWN' });
    try {
      const cfg = loadConfig({ VANTHU_SMTP_PORT: String(own.port) });
      cfg.units = [A, B];
      cfg.mail.localDelivery = true;
      cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: 9, secure: false, requireTls: false, user: null, pass: null };
      const transport = new LocalFirstTransport(cfg);
      const res = await transport.deliver(Buffer.from('Subject: t\r\n\r\nbody\r\n'), A.addresses[0], B.addresses[0]);
      expect(res.response).toMatch(/OWN1/);
      expect(res.local).toBeUndefined(); // the gateway's listener stores it; its SMTP answer is the evidence
      expect(own.received.map((m) => m.to)).toEqual([[B.addresses[0]]]);
      // Not a unit of this gateway: the smarthost (port 9 refuses), as before.
      await expect(transport.deliver(Buffer.from('Subject: t\r\n\r\nbody\r\n'), A.addresses[0], 'vanthu@stp.lamdong.invalid')).rejects.toThrow();
      transport.close();
    } finally {
      await own.close();
    }
  });
});
