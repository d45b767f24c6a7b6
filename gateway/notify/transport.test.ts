import { describe, expect, it } from 'vitest';
import { isPermanent, mailHosts } from './transport.ts';

const dnsError = (code: string) => Object.assign(new Error(`queryMx ${code}`), { code });

describe('mailHosts (direct delivery)', () => {
  it('orders MX hosts by preference', async () => {
    const hosts = await mailHosts('stc.lamdong.gov.vn', async () => [
      { exchange: 'mx2.lamdong.gov.vn', priority: 20 },
      { exchange: 'mx1.lamdong.gov.vn', priority: 10 },
    ]);
    expect(hosts).toEqual(['mx1.lamdong.gov.vn', 'mx2.lamdong.gov.vn']);
  });

  it('falls back to the domain itself when it has no MX record', async () => {
    expect(await mailHosts('stc.lamdong.gov.vn', async () => Promise.reject(dnsError('ENODATA')))).toEqual(['stc.lamdong.gov.vn']);
  });

  it('fails for good on a null MX or a domain that does not exist, and temporarily on DNS trouble', async () => {
    const nullMx = await mailHosts('x.gov.vn', async () => [{ exchange: '', priority: 0 }]).catch((e) => e);
    expect(isPermanent(nullMx)).toBe(true);
    expect(nullMx.message).toMatch(/null MX/);
    const missing = await mailHosts('khong-co.gov.vn', async () => Promise.reject(dnsError('ENOTFOUND'))).catch((e) => e);
    expect(isPermanent(missing)).toBe(true);
    const servfail = await mailHosts('x.gov.vn', async () => Promise.reject(dnsError('ESERVFAIL'))).catch((e) => e);
    expect(servfail).toBeInstanceOf(Error);
    expect(isPermanent(servfail)).toBe(false);
  });
});
