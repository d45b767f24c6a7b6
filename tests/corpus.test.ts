/**
 * The classifier over the whole corpus (tests/corpus): exact on the five real seed documents, and
 * at least 97% of all fields exactly right on the rest. Mismatches are listed readably on failure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, describeMismatches, loadCorpus, runCorpus, type CaseResult } from './corpus/run.ts';

const FLOOR = 0.97;
let results: CaseResult[] = [];

beforeAll(async () => {
  results = await runCorpus();
}, 120_000);

describe('classification corpus', () => {
  it('has at least 40 generated cases plus the five seeds', () => {
    const cases = loadCorpus();
    expect(cases.filter((c) => c.seed)).toHaveLength(5);
    expect(cases.filter((c) => !c.seed).length).toBeGreaterThanOrEqual(40);
  });

  it('covers every kind of message', () => {
    const kinds = new Set(results.map((r) => r.c.expected.kind));
    expect([...kinds].sort()).toEqual(['automated', 'correspondence', 'document', 'status']);
  });

  it('reads every field of the seed documents exactly', () => {
    const seeds = results.filter((r) => r.c.seed);
    expect(describeMismatches(seeds)).toBe('');
  });

  it(`gets at least ${FLOOR * 100}% of all fields right, and each field at least 90%`, () => {
    const acc = accuracy(results.filter((r) => !r.c.seed));
    const report = `${describeMismatches(results)}\n${JSON.stringify(acc.perField)}`;
    expect(acc.overall.accuracy, report).toBeGreaterThanOrEqual(FLOOR);
    for (const [field, a] of Object.entries(acc.perField)) expect(a.accuracy, `${field}\n${report}`).toBeGreaterThanOrEqual(0.9);
  });

  it('always answers with the contract shape', () => {
    for (const { actual } of results) {
      // fieldConfidence was added to the contract (issue 15): null without a document.
      expect(Object.keys(actual).sort()).toEqual(['confidence', 'document', 'fieldConfidence', 'kind', 'reasons']);
      expect(actual.confidence).toBeGreaterThanOrEqual(0);
      expect(actual.confidence).toBeLessThanOrEqual(1);
      if (actual.document === null) expect(actual.fieldConfidence).toBeNull();
      else {
        expect(Object.keys(actual.fieldConfidence ?? {}).sort()).toEqual([
          'dueDate',
          'issuedDate',
          'issuer',
          'notation',
          'number',
          'place',
          'recipients',
          'signer',
          'subject',
          'typeCode',
        ]);
        for (const v of Object.values(actual.fieldConfidence ?? {})) expect(v >= 0 && v <= 1).toBe(true);
      }
      if (actual.document) {
        expect(Object.keys(actual.document).sort()).toEqual([
          'dueDate',
          'issuedDate',
          'issuer',
          'meeting', // added for invitations (issue 21): null unless the document calls a meeting
          'notation',
          'number',
          'place',
          'recipients',
          'secrecy',
          'signer',
          'source',
          'subject',
          'typeCode',
          'typeName',
          'urgency',
        ]);
        for (const v of Object.values(actual.document)) if (typeof v === 'string') expect(v).toBe(v.normalize('NFC'));
      }
    }
  });

  it('gives documents read from clean sources more confidence than subject-only guesses', () => {
    const conf = (id: string) => results.find((r) => r.c.id === id)!.actual.confidence;
    expect(conf('qd-ubnd-lamdong')).toBeGreaterThan(0.8);
    expect(conf('cv-scan-subject-ubnd')).toBeLessThan(0.5);
    expect(conf('001_afb0c321c4d3c427')).toBeLessThan(conf('000_f5d7358c34d48bdd'));
  });

  it('explains refused hostile attachments in the reasons', () => {
    const reasons = (id: string) => results.find((r) => r.c.id === id)!.actual.reasons.join('\n');
    expect(reasons('zip-bomb-docx')).toMatch(/zip bomb|inflate/);
    expect(reasons('corrupt-pdf')).toMatch(/PDF/);
  });
});
