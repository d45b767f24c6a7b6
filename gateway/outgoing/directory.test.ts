import { describe, expect, it } from 'vitest';
import { type Agency, type RecipientError, resolveRecipient } from './directory.ts';

const agency = (name: string, address: string, aliases: string[] = []): Agency => ({ name, address, organId: null, unitId: null, aliases });
const ENTRIES = [
  agency('Sở Tư pháp tỉnh Lâm Đồng', 'vanthu@stp.lamdong.gov.vn'),
  agency('Sở Tài chính tỉnh Lâm Đồng', 'vanthu@stc.lamdong.gov.vn', ['Sở Tài chính tỉnh Đắk Nông']),
  agency('Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng', 'vanthu@vpubnd.lamdong.gov.vn'),
  agency('Văn phòng Hội đồng nhân dân tỉnh Lâm Đồng', 'vanthu@vphdnd.lamdong.gov.vn'),
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

  it('reads the abbreviations agencies write their names with (UBND, HĐND, VP …)', () => {
    expect(resolveRecipient(ENTRIES, 'Văn phòng UBND tỉnh Lâm Đồng').address).toBe('vanthu@vpubnd.lamdong.gov.vn');
    expect(resolveRecipient(ENTRIES, 'VP UBND tinh Lam Dong').address).toBe('vanthu@vpubnd.lamdong.gov.vn');
    expect(resolveRecipient(ENTRIES, 'Văn phòng Uỷ ban nhân dân tỉnh Lâm Đồng').address).toBe('vanthu@vpubnd.lamdong.gov.vn');
    expect(resolveRecipient(ENTRIES, 'VP HĐND tỉnh Lâm Đồng').address).toBe('vanthu@vphdnd.lamdong.gov.vn');
    // Still whole words: "VP" alone names neither office.
    expect(() => resolveRecipient(ENTRIES, 'VP')).toThrow(/ambiguous|full name/);
  });

  it('names the agencies an ambiguous or vague name could mean, for a form to offer', () => {
    const candidates = (q: string) => {
      try {
        resolveRecipient(ENTRIES, q);
        return null;
      } catch (err) {
        return (err as RecipientError).candidates.map((a) => a.address);
      }
    };
    expect(candidates('Văn phòng tỉnh Lâm Đồng')).toEqual(['vanthu@vpubnd.lamdong.gov.vn', 'vanthu@vphdnd.lamdong.gov.vn']);
    expect(candidates('tu')).toEqual(['vanthu@stp.lamdong.gov.vn']);
    expect(candidates('không có ai')).toEqual([]);
    expect(candidates('so tu phap')).toBeNull();
  });

  it('allows an address outside the directory, marked unknown', () => {
    expect(resolveRecipient(ENTRIES, 'VanThu@UBND.example.vn')).toEqual({ name: null, address: 'vanthu@ubnd.example.vn', organId: null, known: false });
  });
});
