/**
 * Receipts come from the receiving unit's own address (issue 18; docs/issuance.md, "Receipts from
 * the unit's address"): a document that arrived at one of the unit's addresses is acknowledged
 * from that address — From header and envelope sender, as the real SMTP sink sees them — not from
 * the gateway's `mail.from`; a document that came to no unit address (an upload) keeps `mail.from`.
 * The receipts are sent by the running gateway's follow-up worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../gateway/notify/mailer.ts';
import { MailTransport } from '../gateway/notify/transport.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { startMailSink, type MailSink } from './helpers/mail-sink.ts';

const UNIT = {
  id: 'stc',
  name: 'Sở Tài chính tỉnh Lâm Đồng',
  organId: '000.00.12.H41',
  addresses: ['vanthu@stc.lamdong.gov.vn', 'tiepnhan@stc.lamdong.gov.vn'],
};
const GATEWAY_FROM = 'noreply@gw.lamdong.gov.vn';
const SENDER = 'vanthu@ubnd.bentre.gov.vn';

interface AddressHeader {
  value: Array<{ address: string; name: string }>;
}

describe('receipts from the receiving unit', () => {
  let gw: TestGateway;
  let sink: MailSink;

  beforeAll(async () => {
    sink = await startMailSink();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        cfg.units = [UNIT];
        cfg.mail.from = GATEWAY_FROM;
        cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, user: null, pass: null };
        cfg.registry.followup.sweepMs = 500;
      },
    });
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.close();
  });

  /** A registered document as the pipeline leaves it: its inbound message (envelope recipients) when it came by mail. */
  async function registered(n: number, rcptTo: string[] | null): Promise<string> {
    const id = `doc-${n}`;
    let inboundId: string | null = null;
    if (rcptTo) {
      inboundId = `in-${n}`;
      await gw.database.query(
        `insert into inbound_messages (id, source, message_id, content_hash, blob_sha256, size, rcpt_to, unit_ids, state, mail_from)
         values ($1, 'smtp', $2, $3, $3, 100, $4, '["stc"]', 'decided', $5)`,
        [inboundId, `<m${n}@ubnd.bentre.gov.vn>`, `${n}`.padStart(64, '0'), JSON.stringify(rcptTo), SENDER],
      );
    }
    await gw.database.query(
      `insert into documents (id, unit_id, inbound_id, status, book_year, book_number, arrival_at, registered_at, notation, subject, sender_address, followup_pending)
       values ($1, 'stc', $2, 'received', 2026, $3, now(), now(), $4, 'Về việc kiểm tra', $5, true)`,
      [id, inboundId, n, `${100 + n}/UBND-VX`, SENDER],
    );
    return id;
  }

  const receiptOf = (n: number) => waitFor(() => sink.mails.find((m) => m.subject.includes(`${100 + n}/UBND-VX`)), 15_000, `receipt of ${100 + n}/UBND-VX`);
  const fromHeader = (m: { headers: Map<string, unknown> }) => (m.headers.get('from') as AddressHeader).value[0];

  it('answers from the address the document came to, else from mail.from', async () => {
    await registered(1, ['tiepnhan@stc.lamdong.gov.vn']);
    await registered(2, ['khac@other.gov.vn', 'VanThu@STC.lamdong.gov.vn']);
    await registered(3, null);
    gw.registry!.followup.kick();

    const first = await receiptOf(1);
    expect(first.to).toEqual([SENDER]);
    expect(first.from).toBe('tiepnhan@stc.lamdong.gov.vn');
    expect(fromHeader(first)).toEqual({ address: 'tiepnhan@stc.lamdong.gov.vn', name: UNIT.name });

    const second = await receiptOf(2);
    expect(second.from).toBe('vanthu@stc.lamdong.gov.vn');
    expect(fromHeader(second).address).toBe('vanthu@stc.lamdong.gov.vn');

    const uploaded = await receiptOf(3);
    expect(uploaded.from).toBe(GATEWAY_FROM);
    expect(fromHeader(uploaded).address).toBe(GATEWAY_FROM);
  }, 60_000);

  it('keeps the unit as envelope sender when delivering straight to the MX host', async () => {
    // Direct delivery (no smarthost): the recipient domain's MX is the sink.
    const config = structuredClone(gw.config);
    config.mail.transport = { kind: 'direct', port: sink.port };
    const transport = new MailTransport(config, async () => [{ exchange: '127.0.0.1', priority: 10 }]);
    const mailer = createMailer(gw.registry!.rt.db, config, gw.registry!.rt.clock, transport);
    try {
      const r = await mailer.send({
        key: 'receipt:direct-mx',
        to: [SENDER],
        subject: 'Xác nhận đã nhận văn bản 9/UBND-VX (receipt)',
        text: 'Đã nhận.',
        from: { name: UNIT.name, address: 'tiepnhan@stc.lamdong.gov.vn' },
      });
      expect(r).toBe('sent');
    } finally {
      mailer.close();
      transport.close();
    }
    const m = await waitFor(() => sink.mails.find((x) => x.subject.includes('9/UBND-VX')), 10_000, 'the direct receipt');
    expect(m.from).toBe('tiepnhan@stc.lamdong.gov.vn');
    expect(fromHeader(m).address).toBe('tiepnhan@stc.lamdong.gov.vn');
  });
});
