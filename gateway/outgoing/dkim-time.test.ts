/**
 * The DKIM signature's t= is the time it signed (docs/issuance.md, "The mail's DKIM signature: one
 * signing time"): a clock that moves on while the signature is made must not change it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseZone, zoneResolver } from '../trust/dns.ts';
import { verifyMailAuth } from '../trust/mailauth.ts';
import { dkimSignMessage } from './sign.ts';

const DOMAIN = 'stc.lamdong.gov.vn';
const RAW = Buffer.from(
  [
    'From: Văn thư <vanthu@stc.lamdong.gov.vn>',
    'To: vanthu@ubnd.bentre.gov.vn',
    'Subject: Công văn số 12/STC-NS',
    'Date: Mon, 23 Nov 2026 09:00:00 +0700',
    'Message-ID: <a@stc.lamdong.gov.vn>',
    '',
    'Kính gửi …',
    '',
  ].join('\r\n'),
);

describe('dkimSignMessage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('signs with the time it is given, even when the wall clock moves half a second at each reading', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const dns = zoneResolver(parseZone(`vt._domainkey.${DOMAIN} TXT "v=DKIM1; k=rsa; p=${spki}"\n`));
    let wall = Date.UTC(2026, 10, 23, 2, 0, 0, 400);
    vi.spyOn(Date, 'now').mockImplementation(() => (wall += 500));
    const signedAt = new Date('2026-11-23T02:00:00Z');
    const signed = await dkimSignMessage(
      RAW,
      { domain: DOMAIN, selector: 'vt', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      signedAt,
    );
    vi.restoreAllMocks();
    expect(signed.toString('latin1')).toMatch(new RegExp(`t=${signedAt.getTime() / 1000};`));
    const [dkim] = await verifyMailAuth(signed, { dns });
    expect([dkim.layer, dkim.verdict, dkim.reasons]).toEqual(['dkim', 'valid', [expect.stringContaining('dkim=pass')]]);
  });
});
