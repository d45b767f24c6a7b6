import { describe, expect, it } from 'vitest';
import { parseZone, zoneResolver, ZoneFileError } from './dns.ts';

const ZONE = `
# comment line
sel._domainkey.Example.GOV.vn.  TXT  "v=DKIM1; k=rsa; " "p=AAAA#BBBB"   # trailing comment
example.gov.vn                  TXT  v=spf1 ip4:203.0.113.5 -all
example.gov.vn                  MX   10 mx.example.gov.vn.
example.gov.vn                  MX   20 backup.example.gov.vn
mx.example.gov.vn               A    203.0.113.5
`;

describe('zone file resolver', () => {
  const resolve = zoneResolver(parseZone(ZONE));

  it('answers TXT as chunk arrays, names case-insensitive and without the trailing dot', async () => {
    expect(await resolve('sel._domainkey.example.gov.vn', 'TXT')).toEqual([['v=DKIM1; k=rsa; ', 'p=AAAA#BBBB']]);
    expect(await resolve('EXAMPLE.gov.vn.', 'txt')).toEqual([['v=spf1 ip4:203.0.113.5 -all']]);
  });

  it('answers MX like node:dns and repeats records', async () => {
    expect(await resolve('example.gov.vn', 'MX')).toEqual([
      { priority: 10, exchange: 'mx.example.gov.vn' },
      { priority: 20, exchange: 'backup.example.gov.vn' },
    ]);
    expect(await resolve('mx.example.gov.vn', 'A')).toEqual(['203.0.113.5']);
  });

  it('fails like DNS: ENOTFOUND for unknown names, ENODATA for missing types', async () => {
    await expect(resolve('nowhere.gov.vn', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolve('mx.example.gov.vn', 'TXT')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseZone('ok.vn TXT "x"\nbroken-line', 'z.txt')).toThrow(/z\.txt:2/);
    expect(() => parseZone('a.vn SOA x')).toThrow(ZoneFileError);
    expect(() => parseZone('a.vn MX mx.vn')).toThrow(/preference/);
  });
});
