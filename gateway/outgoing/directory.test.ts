import { describe, expect, it } from 'vitest';
import { resolveRecipient, type Agency } from './directory.ts';

const agency = (name: string, address: string, aliases: string[] = []): Agency => ({ name, address, organId: null, unitId: null, aliases });
const ENTRIES = [
  agency('Sở Tư pháp tỉnh Lâm Đồng', 'vanthu@stp.lamdong.gov.vn'),
  agency('Sở Tài chính tỉnh Lâm Đồng', 'vanthu@stc.lamdong.gov.vn', ['Sở Tài chính tỉnh Đắk Nông']),
];

describe('resolveRecipient', () => {
  it('picks an agency by whole words of its name, without diacritics, or by a historical name', () => {
    expect(resolveRecipient(ENTRIES, 'so tu phap').address).toBe('vanthu@stp.lamdong.gov.vn');
    expect(resolveRecipient(ENTRIES, 'Sở Tài chính tỉnh Đắk Nông').address).toBe('vanthu@stc.lamdong.gov.vn');
  });

  it('refuses a fragment that only happens to occur in a name', () => {
    expect(() => resolveRecipient(ENTRIES, 'tu')).toThrow(/full name/);
    expect(() => resolveRecipient(ENTRIES, 'Sở')).toThrow(/ambiguous/);
    expect(() => resolveRecipient(ENTRIES, 'tai chin')).toThrow(/unknown recipient|full name/);
  });

  it('allows an address outside the directory, marked unknown', () => {
    expect(resolveRecipient(ENTRIES, 'VanThu@UBND.example.vn')).toEqual({ name: null, address: 'vanthu@ubnd.example.vn', organId: null, known: false });
  });
});
