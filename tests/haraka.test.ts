/**
 * The vanthu Haraka plugin in a real Haraka, handing mail to a real vanthu gateway: mail for a
 * unit is stored with source "haraka" and parsed; other recipients get 550; when vanthu cannot
 * store the message (storage failing, gateway down) Haraka answers a temporary failure so the
 * sender retries, and nothing is half-stored. The plugin speaks with a relay token: with any other
 * credential vanthu refuses the SMTP envelope.
 */
import { eq, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessages } from '../gateway/store/schema.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { freePort } from './helpers/processes.ts';
import { addRelayToken, RELAY_TOKEN, startHaraka, type TestHaraka } from './helpers/haraka.ts';
import { BENTRE_SENDER, plainMail } from './helpers/mime.ts';
import { rawSmtp } from './helpers/smtp.ts';

const UNIT = 'taichinh@lamdong.gov.vn';
const SENDER = BENTRE_SENDER;

const mail = (id: string) => plainMail(id, UNIT, ['Kính gửi: Sở Tài chính tỉnh Lâm Đồng', 'Số: 123/UBND-VX', '.dòng bắt đầu bằng dấu chấm', '']);

async function send(port: number, raw: string) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'mail.ubnd.bentre.gov.vn' });
  return t.sendMail({ envelope: { from: SENDER, to: [UNIT] }, raw });
}

describe.each(BACKENDS)('Haraka plugin with vanthu on %s', (backend) => {
  let gw: TestGateway;
  let haraka: TestHaraka;
  const rows = (messageId: string) => gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.messageId, messageId));

  beforeAll(async () => {
    gw = await startTestGateway({ backend, configure: addRelayToken });
    haraka = await startHaraka({ vanthu: { url: `http://127.0.0.1:${gw.httpPort}`, token: RELAY_TOKEN, timeout: 10, refresh: 60 } });
  });
  afterAll(async () => {
    await haraka?.stop();
    await gw?.close();
  });

  it('hands mail for a unit address to vanthu, which stores it (source haraka) and parses it', async () => {
    const info = await send(haraka.port, mail(`haraka-1-${backend}`));
    const id = /vanthu ([0-9A-Z]{26})/.exec(info.response)?.[1];
    expect(info.response).toMatch(/^250 /);
    const [row] = await rows(`<haraka-1-${backend}@ubnd.bentre.gov.vn>`);
    expect(row).toMatchObject({
      id,
      source: 'haraka',
      mailFrom: SENDER,
      rcptTo: [UNIT],
      unitIds: ['stc'],
      remoteIp: '127.0.0.1',
      helo: 'mail.ubnd.bentre.gov.vn',
    });
    const raw = (await gw.blobs.read(row.blobSha256)).toString();
    // Haraka adds its trace header; the message itself arrives byte for byte (dots unstuffed, CRLF).
    expect(raw).toMatch(/^Received: /);
    expect(raw.endsWith(mail(`haraka-1-${backend}`).split('\r\n\r\n').slice(1).join('\r\n\r\n'))).toBe(true);
    await waitFor(
      async () => {
        const res = await gw.api(`/api/messages/${id}`);
        return ((await res.json()) as { stages: { parse?: { status: string } } }).stages.parse?.status === 'done';
      },
      15_000,
      'parse stage',
    );
  });

  it('answers 550 5.1.1 for an address vanthu does not publish', async () => {
    const replies = await rawSmtp(haraka.port, [
      { send: 'EHLO test.example\r\n', replies: 1 },
      { send: `MAIL FROM:<${SENDER}>\r\n`, replies: 1 },
      { send: 'RCPT TO:<nobody@stc.lamdong.gov.vn>\r\n', replies: 1 },
      { send: `RCPT TO:<${UNIT.toUpperCase()}>\r\n`, replies: 1 },
    ]);
    expect(replies[3]).toMatch(/^550 5\.1\.1 .*nobody@stc\.lamdong\.gov\.vn/);
    expect(replies[4]).toMatch(/^250 /);
  });

  it('answers a temporary failure while vanthu cannot store, and stores the retry', async () => {
    // The database refuses the inbound row: vanthu answers 503 and the plugin DENYSOFT.
    await gw.database.db.execute(sql`alter table inbound_messages rename to inbound_messages_away`);
    try {
      const err = (await send(haraka.port, mail(`haraka-2-${backend}`)).catch((e) => e)) as { responseCode?: number; response?: string };
      // Haraka answers DENYSOFT from a queue hook with 450 (its fixed code there) + our 4.3.0.
      expect(err.responseCode).toBe(450);
      expect(err.response).toMatch(/^450 4\.3\.0 .*storage failed/);
    } finally {
      await gw.database.db.execute(sql`alter table inbound_messages_away rename to inbound_messages`);
    }
    expect(await rows(`<haraka-2-${backend}@ubnd.bentre.gov.vn>`)).toHaveLength(0);
    const retry = await send(haraka.port, mail(`haraka-2-${backend}`));
    expect(retry.response).toMatch(/^250 vanthu /);
    expect(await rows(`<haraka-2-${backend}@ubnd.bentre.gov.vn>`)).toHaveLength(1);
  });

  it("refuses the envelope from a token that is not the relay's: nothing stored, the sender retries", async () => {
    // An admin token: vanthu answers the hand-off 403, the plugin a temporary failure.
    const wrong = await startHaraka({ vanthu: { url: `http://127.0.0.1:${gw.httpPort}`, token: gw.token, timeout: 10 } });
    try {
      const err = (await send(wrong.port, mail(`haraka-admin-${backend}`)).catch((e) => e)) as { responseCode?: number; response?: string };
      expect(err.responseCode).toBe(450);
      expect(err.response).toMatch(/^450 4\.3\.0 .*relay/);
    } finally {
      await wrong.stop();
    }
    expect(await rows(`<haraka-admin-${backend}@ubnd.bentre.gov.vn>`)).toHaveLength(0);
  });

  it('answers 451 4.3.0 at RCPT when vanthu cannot be reached at all', async () => {
    const closed = await startHaraka({ vanthu: { url: `http://127.0.0.1:${await freePort()}`, token: 'no-gateway-here', timeout: 5 } });
    try {
      const replies = await rawSmtp(closed.port, [
        { send: 'EHLO test.example\r\n', replies: 1 },
        { send: `MAIL FROM:<${SENDER}>\r\n`, replies: 1 },
        { send: `RCPT TO:<${UNIT}>\r\n`, replies: 1 },
      ]);
      expect(replies[3]).toMatch(/^451 4\.3\.0 /);
    } finally {
      await closed.stop();
    }
  });

  it('answers a temporary failure when the gateway stops after the directory was cached', async () => {
    const port = gw.httpPort;
    await gw.http!.close();
    const err = (await send(haraka.port, mail(`haraka-3-${backend}`)).catch((e) => e)) as { responseCode?: number; response?: string };
    expect(err.responseCode).toBe(450);
    expect(err.response).toMatch(/^450 4\.3\.0 .*ECONNREFUSED/);
    expect(port).toBeGreaterThan(0);
  });
});
