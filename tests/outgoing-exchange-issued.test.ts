/**
 * The two-gateway check of issue 18 ("Tests and checks"): gateway A (Sở Tài chính, PGlite) issues a
 * leader-signed PDF — number and date written in, the unit's PAdES signature with its seal — and
 * sends it over real SMTP to gateway B (Văn phòng UBND, PostgreSQL), a separate process state with
 * its own database and trust anchors. B verifies both signatures (valid, only permitted changes
 * after the leader's), registers it with the urgency A gave it, and its receipt makes A's book show
 * delivered and then received. `pdfsig` verifies the PDF B received.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../gateway/config/load.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { issuingUnit, pdfsig } from './fixtures/issue/signing.ts';
import { ensureFixtures } from './fixtures/trust/make-fixtures.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';

const A = { id: 'stc', name: 'Sở Tài chính tỉnh Lâm Đồng', organId: '000.00.12.H41', addresses: ['vanthu@stc.lamdong.gov.vn'] };
const B = { id: 'vpubnd', name: 'Văn phòng UBND tỉnh Lâm Đồng', organId: '000.00.01.H41', addresses: ['vanthu@vpubnd.lamdong.gov.vn'] };

interface Delivery {
  recipient: string;
  state: string;
  response: string | null;
  evidence: Array<{ state: string }>;
}
interface Signature {
  layer: string;
  verdict: string;
  changesAfterSigning: string;
  signer: { commonName: string | null } | null;
}

function peer(cfg: Config, self: typeof A, other: typeof A, otherSmtpPort: number, anchors: string[]): void {
  cfg.units = [self];
  cfg.directory = [{ name: other.name, address: other.addresses[0], organId: other.organId, aliases: [] }];
  cfg.mail.from = self.addresses[0];
  cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: otherSmtpPort, secure: false, requireTls: false, user: null, pass: null };
  cfg.outgoing.delivery = { attempts: 5, backoffMs: 200, concurrency: 2 };
  cfg.outgoing.requireSigned = true;
  cfg.registry.followup.sweepMs = 500;
  cfg.trust.anchors = anchors;
}

describe('two gateways: A issues a leader-signed PDF, B verifies and registers it, A sees the receipt', { timeout: 240_000 }, () => {
  let a: TestGateway;
  let b: TestGateway;
  let dir: string;
  let leader: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-exchange-issued-'));
    const fx = await ensureFixtures();
    leader = await leaderPdf(fx.pki.signer.p12);
    const seal = path.join(dir, 'seal.png');
    writeFileSync(seal, await sealPng());
    const signing = issuingUnit({ codeSuffix: 'STC-NS', pkcs12: fx.pki.pss.p12, seal });
    const anchors = [fx.pki.root];
    // A first (its smarthost is set once B's port is known); B's mailer points at A.
    a = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        peer(cfg, A, B, 1, anchors);
        cfg.outgoing.units[A.id] = signing;
      },
    });
    b = await startTestGateway({ backend: 'postgres', configure: (cfg) => peer(cfg, B, A, a.smtpPort!, anchors) });
    a.config.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: b.smtpPort!, secure: false, requireTls: false, user: null, pass: null };
  }, 180_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const body = await r.text();
    expect(r.status, body).toBe(status);
    return JSON.parse(body) as T;
  };

  it('issues, delivers over SMTP, verifies both signatures at B, registers with the urgency, and brings the receipt back', async () => {
    const sent = await json<{ id: string; notation: string; deliveries: Delivery[] }>(
      a.api('/api/outgoing', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          unit: A.id,
          to: ['Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng'],
          subject: 'Kiểm tra quyết toán ngân sách năm 2026',
          typeCode: 'KH',
          signer: 'Nguyễn Văn An',
          urgency: 'thuong_khan',
          document: { filename: 'ke-hoach.pdf', content: leader.toString('base64') },
        }),
      }),
      201,
    );
    expect(sent.notation).toMatch(/^\d+\/KH-STC-NS$/);
    const recipient = async () => (await json<{ deliveries: Delivery[] }>(a.api(`/api/outgoing/${sent.id}`))).deliveries[0];
    const delivered = await waitFor(async () => ((await recipient()).state === 'sent' ? recipient() : null), 30_000, 'A → B over SMTP');
    expect(delivered).toMatchObject({ recipient: B.addresses[0], response: expect.stringMatching(/^250/) });

    // B: the message, its verification, and the document it made.
    const inbound = await waitFor(
      async () => {
        const list = await json<{ items: Array<{ id: string }> }>(b.api(`/api/messages?unit=${B.id}`));
        return list.items[0] ?? null;
      },
      30_000,
      'B to accept the message',
    );
    type Detail = {
      attachments: Array<{ idx: number; contentType: string }>;
      stages: { verify?: { result: { signatures: Signature[] } | null } };
      outcome: Array<{ action: string; documentId: string | null; bookNumber: number | null }>;
    };
    const detail = await waitFor(
      async () => {
        const d = await json<Detail>(b.api(`/api/messages/${inbound.id}`));
        return d.outcome.length ? d : null;
      },
      60_000,
      'B to decide',
    );
    const signatures = (detail.stages.verify?.result?.signatures ?? []).filter((s) => s.layer === 'pdf');
    expect(signatures.map((s) => [s.verdict, s.changesAfterSigning])).toEqual([
      ['valid', 'permitted'],
      ['valid', 'none'],
    ]);
    const [outcome] = detail.outcome;
    if (outcome.action === 'review' && outcome.documentId)
      await json(b.api(`/api/documents/${outcome.documentId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    const registered = await waitFor(
      async () => {
        const list = await json<{ items: Array<{ notation: string | null; bookNumber: number | null; urgency: string }> }>(
          b.api(`/api/documents?unit=${B.id}`),
        );
        return list.items.find((d) => d.notation === sent.notation && d.bookNumber !== null) ?? null;
      },
      30_000,
      'B to register it',
    );
    expect(registered.urgency).toBe('thuong_khan');

    // B's receipt goes back over SMTP: A's book shows sent → received.
    const received = await waitFor(async () => ((await recipient()).state === 'received' ? recipient() : null), 60_000, 'receipt at A');
    expect(received.evidence.map((e) => e.state)).toContain('received');

    // The PDF as B received it: poppler finds both signatures valid.
    const pdf = detail.attachments.find((x) => x.contentType.startsWith('application/pdf'))!;
    const bytes = Buffer.from(await (await b.api(`/api/messages/${inbound.id}/attachments/${pdf.idx}`)).arrayBuffer());
    const report = pdfsig(dir, bytes, 'issued.pdf');
    expect(report.match(/^Signature #\d+:/gm)).toHaveLength(2);
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
  });
});
