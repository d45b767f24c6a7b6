/**
 * The add-in's "Đưa vào hệ thống" (POST /api/messages/lookup?ingest=1) on a message an officer
 * received at their own address of the unit's domain, not at a unit address: the policy
 * (personalUploadTarget) lets any user of the unit add mail addressed to themselves; it is stored
 * for their unit with their address as the recipient. Mail to a colleague's address is not theirs
 * to add. Real gateway over HTTP.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { OFFICER, OTHER, startActGateway, type ActGateway } from './helpers/act-mail.ts';

const mail = (id: string, to: string) =>
  [
    'From: Văn phòng UBND <vanthu@ubnd.bentre.gov.vn>',
    `To: ${to}`,
    'Subject: =?UTF-8?B?Q8O0bmcgdsSDbg==?=',
    `Message-ID: <${id}@ubnd.bentre.gov.vn>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Số: 45/UBND-VX',
    '',
  ].join('\r\n');

describe('the add-in adds mail an officer received at their own address', { timeout: 120_000 }, () => {
  let gw: ActGateway;
  let token: string;
  const lookup = (raw: string) =>
    fetch(`http://127.0.0.1:${gw.app.httpPort}/api/messages/lookup?ingest=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
      body: raw,
    });

  beforeAll(async () => {
    gw = await startActGateway('pglite', new ManualClock('2026-11-23T02:00:00Z'));
    const res = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: OFFICER, password: 'mật khẩu 2026' }),
    });
    token = ((await res.json()) as { token: string }).token;
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('stores it for the officer’s unit, addressed to the officer', async () => {
    const res = await lookup(mail('personal-1', `Nguyễn Văn An <${OFFICER.toUpperCase()}>`));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { match: string; message: { id: string; unitIds: string[] } };
    expect(body.match).toBe('ingested');
    const [row] = await gw.app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, body.message.id));
    expect([row.rcptTo, row.unitIds, row.uploadedBy]).toEqual([[OFFICER], ['stc'], OFFICER]);
    // The same message again: found, not stored twice.
    expect((await lookup(mail('personal-1', OFFICER))).status).toBe(200);
  });

  it("refuses a colleague's mail and mail to an address outside the unit's domains", async () => {
    expect((await lookup(mail('personal-2', OTHER))).status).toBe(422);
    expect((await lookup(mail('personal-3', 'officer@gmail.com'))).status).toBe(422);
  });
});
