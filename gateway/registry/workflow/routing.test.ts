/**
 * matchRule (gateway/registry/workflow/routing.ts): the same rule wins as before, and the message's
 * whole text is folded only when a keyword rule of the unit is reached, once.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoutingRule } from '../../config/registry.ts';

const folded = vi.hoisted(() => ({ inputs: [] as string[] }));
vi.mock('../../documents/text.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../documents/text.ts')>();
  return {
    ...actual,
    foldDiacritics: (s: string) => {
      folded.inputs.push(s);
      return actual.foldDiacritics(s);
    },
  };
});
const { matchRule } = await import('./routing.ts');

const BODY = 'Nội dung văn bản: '.repeat(2_000);
const input = {
  unitId: 'u1',
  recipients: ['VanThu@Example.vn'],
  issuer: 'Ủy ban nhân dân tỉnh Bến Tre',
  typeCode: 'CV',
  subject: 'Về việc Đề án chuyển đổi số',
  text: BODY,
};
const rule = (r: Partial<RoutingRule>): RoutingRule => ({ unit: 'u1', department: 'vp', ...r }) as RoutingRule;
/** Folds of the message's text (the subject and the body together). */
const textFolds = () => folded.inputs.filter((s) => s.includes(BODY)).length;

describe('matchRule', () => {
  beforeEach(() => {
    folded.inputs.length = 0;
  });

  it('finds the same rule by recipient, issuer, type and keywords', () => {
    const rules = [
      rule({ unit: 'u2', keywords: ['chuyen doi so'] }),
      rule({ recipient: 'other@example.vn' }),
      rule({ issuer: 'bac lieu' }),
      rule({ typeCode: 'QD' }),
      rule({ keywords: ['ngan sach'] }),
      rule({ recipient: 'vanthu@example.vn', issuer: 'ben tre', keywords: ['đề án'] }),
      rule({}),
    ];
    expect(matchRule(rules, input)).toBe(5);
    expect(matchRule(rules.slice(0, 5), input)).toBe(-1);
    expect(matchRule([rule({ keywords: ['noi dung van ban'] })], input)).toBe(0);
  });

  it('does not fold the text when no rule of the unit has keywords', () => {
    expect(matchRule([], input)).toBe(-1);
    expect(matchRule([rule({ unit: 'u2', keywords: ['x'] }), rule({ typeCode: 'QD', keywords: ['x'] }), rule({ issuer: 'ben tre' })], input)).toBe(2);
    // Before: once per call, whatever the rules ("expected 2 to be +0").
    expect(textFolds()).toBe(0);
  });

  it('folds the text and the issuer once for many keyword rules', () => {
    const rules = Array.from({ length: 5 }, (_, i) => rule({ issuer: 'ben tre', keywords: [`khong co ${i}`] }));
    expect(matchRule(rules, input)).toBe(-1);
    expect(textFolds()).toBe(1);
    expect(folded.inputs.filter((s) => s === input.issuer)).toHaveLength(1);
  });
});
