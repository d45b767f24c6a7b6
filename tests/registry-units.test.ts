/** Pure parts of the registry: working days and holidays, the policy decision, the learned router, audit hashing, DN escaping. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../gateway/config/load.ts';
import { canonicalJson, GENESIS, rowHash } from '../gateway/registry/audit.ts';
import { NaiveBayes, syllables } from '../gateway/registry/intake/suggestions.ts';
import { zonedInstant, localDate } from '../gateway/clock.ts';
import { addWorkingDays, calendar, computeDeadline, subtractWorkingDays } from '../gateway/registry/workflow/deadlines.ts';
import { dedupKey } from '../gateway/registry/intake/fields.ts';
import { userDn } from '../gateway/registry/users/ldap.ts';
import { decide } from '../gateway/registry/intake/decide.ts';
import { matchRule } from '../gateway/registry/workflow/routing.ts';
import { classification, VALID } from './helpers/registry-fixtures.ts';

const config = loadConfig({});
const cal = calendar(config.registry.holidays);
const policy = { autoRegister: true, confidenceThreshold: 0.8 };

describe('working days with the shipped Vietnamese holiday calendar', () => {
  it('skips weekends, Tết and substitute days', () => {
    expect(cal.knowsYear(2026) && cal.knowsYear(2027)).toBe(true);
    expect(addWorkingDays(cal, '2026-02-13', 1)).toBe('2026-02-23'); // Fri before Tết → Mon after the 9-day break
    expect(cal.isWorkingDay('2026-04-27')).toBe(false); // Hùng Kings' day moved from Sunday 26/4
    expect(addWorkingDays(cal, '2026-04-29', 1)).toBe('2026-05-04'); // 30/4 + 1/5 off
    expect(addWorkingDays(cal, '2027-02-04', 1)).toBe('2027-02-12'); // Tết Đinh Mùi incl. two substitute days
    expect(cal.isWorkingDay('2027-05-03')).toBe(false); // 1/5/2027 is a Saturday
    expect(addWorkingDays(cal, '2026-11-23', 10)).toBe('2026-12-07');
    expect(subtractWorkingDays(cal, '2026-02-23', 1, '2026-01-01')).toBe('2026-02-13');
    expect(addWorkingDays(cal, '2026-11-22', 0)).toBe('2026-11-23'); // Sunday → next working day
  });

  it('honours a weekend workday and a stated deadline, else type and urgency', () => {
    const swap = calendar({ '2026': { off: ['2026-01-02'], workdays: ['2026-01-10'] } });
    expect(addWorkingDays(swap, '2026-01-09', 1)).toBe('2026-01-10');
    const reg = config.registry;
    expect(computeDeadline(reg, cal, { unitId: 'stc', typeCode: 'CV', urgency: 'normal', statedDate: '2026-11-30', from: '2026-11-23' })).toEqual({
      dueDate: '2026-11-30',
      source: 'document',
      workingDays: null,
    });
    expect(computeDeadline(reg, cal, { unitId: 'stc', typeCode: 'GM', urgency: 'normal', statedDate: null, from: '2026-11-23' }).dueDate).toBe('2026-11-25');
    expect(computeDeadline(reg, cal, { unitId: 'stc', typeCode: 'CV', urgency: 'hoa_toc', statedDate: null, from: '2026-11-27' }).dueDate).toBe('2026-11-30');
  });

  it('places local hours in the registry time zone', () => {
    expect(zonedInstant('2026-12-04', 8, 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-12-04T01:00:00.000Z');
    expect(localDate(new Date('2026-12-31T17:30:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2027-01-01');
  });
});

describe('policy', () => {
  const base = { verify: VALID, policy, duplicateOf: null, answers: null };
  it('registers only a confident, validly signed official document', () => {
    expect(decide({ ...base, classification: classification() }).action).toBe('register');
    expect(decide({ ...base, classification: classification({}, 0.5) })).toMatchObject({ action: 'review', reasons: [expect.stringMatching(/confidence/)] });
    expect(decide({ ...base, verify: { verdict: 'untrusted' }, classification: classification() })).toMatchObject({
      action: 'review',
      reasons: [expect.stringMatching(/untrusted/)],
    });
    expect(decide({ ...base, verify: null, classification: classification() }).action).toBe('review');
    expect(decide({ ...base, classification: null }).action).toBe('review');
    expect(decide({ ...base, policy: { ...policy, autoRegister: false }, classification: classification() }).action).toBe('review');
  });
  it('quarantines secrets, links duplicates and notices, keeps correspondence, drops automated mail', () => {
    expect(decide({ ...base, classification: classification({ secrecy: 'toi_mat' }) }).action).toBe('quarantine');
    expect(decide({ ...base, duplicateOf: 'X', classification: classification() })).toMatchObject({ action: 'link', linkTo: 'X' });
    expect(decide({ ...base, answers: 'O', classification: { kind: 'status', document: null, confidence: 1, reasons: [] } })).toMatchObject({
      action: 'link',
      linkTo: 'O',
    });
    expect(decide({ ...base, classification: { kind: 'correspondence', document: null, confidence: 1, reasons: [] } }).action).toBe('keep');
    // An unreadable attachment leaves the classifier unsure: a clerk looks rather than the letter being kept aside.
    expect(
      decide({ ...base, classification: { kind: 'correspondence', document: null, confidence: 0.5, reasons: ['Giấy mời.pdf: PDF is corrupt or not a PDF'] } }),
    ).toMatchObject({ action: 'review', reasons: [expect.stringMatching(/low confidence/), expect.stringMatching(/corrupt/)] });
    expect(decide({ ...base, classification: { kind: 'automated', document: null, confidence: 1, reasons: [] } }).action).toBe('drop');
  });
  it('treats the same notation, issuer and date as the same document whatever the spelling of case and marks', () => {
    expect(dedupKey({ notation: '25/CT-UBND', issuer: 'Ủy ban nhân dân tỉnh Bến Tre', issuedDate: '2005-06-08' })).toBe(
      dedupKey({ notation: '25/ct-ubnd ', issuer: 'UY BAN NHAN DAN TINH BEN TRE', issuedDate: '2005-06-08' }),
    );
    expect(dedupKey({ notation: null, issuer: 'x', issuedDate: '2005-06-08' })).toBeNull();
  });
});

describe('routing', () => {
  it('matches configured rules by recipient, issuer, type and keywords (diacritics-insensitive)', () => {
    const rules = [
      { unit: 'stc', typeCode: 'GM', department: 'vp' },
      { unit: 'stc', keywords: ['dự toán'], department: 'ns' },
      { unit: 'stc', recipient: 'taichinh@lamdong.gov.vn', issuer: 'bộ tài chính', department: 'dt' },
    ];
    const input = { unitId: 'stc', recipients: [], issuer: null, typeCode: null, subject: null, text: null };
    expect(matchRule(rules, { ...input, typeCode: 'GM' })).toBe(0);
    expect(matchRule(rules, { ...input, subject: 'Hướng dẫn DU TOAN năm 2027' })).toBe(1);
    expect(matchRule(rules, { ...input, recipients: ['taichinh@lamdong.gov.vn'], issuer: 'Bộ Tài chính' })).toBe(2);
    expect(matchRule(rules, { ...input, unitId: 'vpubnd', typeCode: 'GM' })).toBe(-1);
  });

  it('learns departments from past assignments over folded syllables', () => {
    expect(syllables('Ủy ban nhân dân TỈNH Bến Tre')).toEqual(['uy', 'ban', 'nhan', 'dan', 'tinh', 'ben', 'tre']);
    const nb = new NaiveBayes();
    for (const t of ['Dự toán ngân sách năm 2027', 'Quyết toán ngân sách xã', 'Bổ sung dự toán chi thường xuyên']) nb.train('ns', t);
    for (const t of ['Dự án đầu tư công trình giao thông', 'Kế hoạch vốn đầu tư công', 'Thẩm định dự án đầu tư']) nb.train('dt', t);
    const [best, second] = nb.predict('giao du toan ngan sach bo sung');
    expect(best.label).toBe('ns');
    expect(best.probability).toBeGreaterThan(second.probability);
    expect(nb.predict('vốn đầu tư công năm 2027')[0].label).toBe('dt');
  });
});

describe('audit hashing and LDAP DNs', () => {
  it('hashes canonical JSON so key order does not matter and any change does', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    const row = { seq: 1, at: new Date('2026-01-01T00:00:00Z'), actor: 'a', action: 'x', entity: 'document', entityId: 'D', data: { n: 1 } };
    expect(rowHash(GENESIS, row)).toBe(rowHash(GENESIS, { ...row, data: { n: 1 } }));
    expect(rowHash(GENESIS, row)).not.toBe(rowHash(GENESIS, { ...row, data: { n: 2 } }));
  });
  it('escapes the user part of a bind DN', () => {
    expect(userDn('uid={user},ou=people,dc=x', 'a,b=c@x.vn')).toBe('uid=a\\,b\\=c,ou=people,dc=x');
  });
});
