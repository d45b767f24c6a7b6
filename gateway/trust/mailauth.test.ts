import { describe, expect, it } from 'vitest';
import { MAX_ADDRESS_HEADER_BYTES, oversizedAddressHeader, verifyMailAuth } from './mailauth.ts';

const mail = (headers: string) => Buffer.from(`${headers}\r\nSubject: x\r\n\r\nbody\r\n`, 'latin1');

describe('address headers too long for mailauth', () => {
  it('finds an oversized From, folded or on one line, and leaves ordinary headers alone', () => {
    const long = `${'a'.repeat(MAX_ADDRESS_HEADER_BYTES)}@x.example`;
    expect(oversizedAddressHeader(mail(`From: ${long}`))).toMatchObject({ name: 'From' });
    expect(oversizedAddressHeader(mail(`To: a@x.example,\r\n ${long}`))).toMatchObject({ name: 'To' });
    expect(oversizedAddressHeader(mail(`X-Long: ${long}\r\nFrom: a@x.example`))).toBeNull();
    expect(oversizedAddressHeader(mail('From: Sở Tài chính <vanthu@stc.lamdong.gov.vn>'))).toBeNull();
    // A whole message on one line (no header block end): the fuzz input that hung verify.
    expect(oversizedAddressHeader(Buffer.from(`From: x <v@x.example>To: y${'@y'.repeat(300_000)}`))).toMatchObject({ name: 'From' });
  });

  it('reports every mail layer indeterminate with the limit instead of parsing a 5 MB From header', async () => {
    const raw = Buffer.from(`From: x <v@x.example>To: y${'@y z'.repeat(1_300_000)}\r\n\r\nbody`);
    const reports = await verifyMailAuth(raw, {});
    expect(reports.map((r) => [r.layer, r.verdict])).toEqual([
      ['dkim', 'indeterminate'],
      ['spf', 'indeterminate'],
      ['dmarc', 'indeterminate'],
      ['arc', 'indeterminate'],
    ]);
    expect(reports[0].reasons[0]).toMatch(/limit:address-header-bytes/);
  });
});
