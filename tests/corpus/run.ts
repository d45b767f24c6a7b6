/**
 * Runs the classifier over the corpus and compares each field with the expected JSON. Shared by
 * the corpus test and the benchmark, so both measure the same thing.
 */
import { isDeepStrictEqual } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyFile } from '../../gateway/documents/index.ts';
import type { Classification, DocumentMetadata } from '../../gateway/documents/types.ts';

const here = dirname(fileURLToPath(import.meta.url));

export const DOCUMENT_FIELDS: Array<keyof DocumentMetadata> = [
  'typeCode',
  'typeName',
  'number',
  'notation',
  'issuer',
  'place',
  'issuedDate',
  'subject',
  'signer',
  'recipients',
  'urgency',
  'secrecy',
  'dueDate',
  'source',
];

export interface CorpusCase {
  id: string;
  file: string;
  seed: boolean;
  expected: Pick<Classification, 'kind' | 'document'> & { note?: string };
}

export interface Mismatch {
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface CaseResult {
  c: CorpusCase;
  actual: Classification;
  fields: Array<{ field: string; ok: boolean }>;
  mismatches: Mismatch[];
}

export function loadCorpus(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const [dir, seed] of [
    ['seeds', true],
    ['cases', false],
    ['handwritten', false],
  ] as const) {
    const path = join(here, dir);
    for (const f of readdirSync(path)
      .filter((f) => f.endsWith('.expected.json'))
      .sort()) {
      const id = f.replace(/\.expected\.json$/, '');
      const file = readdirSync(path).find((g) => g.startsWith(id + '.') && !g.endsWith('.json'));
      if (!file) throw new Error(`no input file for ${dir}/${f}`);
      out.push({ id, file: join(path, file), seed, expected: JSON.parse(readFileSync(join(path, f), 'utf8')) });
    }
  }
  return out;
}

/** One comparison per field: kind, then every document field (or "document" when none is expected). */
export function compare(c: CorpusCase, actual: Classification): CaseResult {
  const fields: CaseResult['fields'] = [];
  const mismatches: Mismatch[] = [];
  const check = (field: string, expected: unknown, got: unknown) => {
    const ok = isDeepStrictEqual(expected, got);
    fields.push({ field, ok });
    if (!ok) mismatches.push({ field, expected, actual: got });
  };
  check('kind', c.expected.kind, actual.kind);
  const want = c.expected.document;
  if (want === null) check('document', null, actual.document);
  else for (const f of DOCUMENT_FIELDS) check(f, want[f], actual.document ? actual.document[f] : undefined);
  return { c, actual, fields, mismatches };
}

export async function runCorpus(cases = loadCorpus()): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    // The clock is pinned so date-plausibility checks do not drift as the corpus ages.
    results.push(compare(c, await classifyFile(c.file, { now: new Date('2026-11-23T00:00:00Z') })));
  }
  return results;
}

export interface Accuracy {
  perField: Record<string, { correct: number; total: number; accuracy: number }>;
  overall: { correct: number; total: number; accuracy: number };
}

export function accuracy(results: CaseResult[]): Accuracy {
  const perField: Accuracy['perField'] = {};
  let correct = 0;
  let total = 0;
  for (const r of results) {
    for (const { field, ok } of r.fields) {
      const slot = (perField[field] ??= { correct: 0, total: 0, accuracy: 0 });
      slot.total++;
      total++;
      if (ok) {
        slot.correct++;
        correct++;
      }
    }
  }
  for (const slot of Object.values(perField)) slot.accuracy = round(slot.correct / slot.total);
  return { perField, overall: { correct, total, accuracy: round(correct / total) } };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** A readable list of what differs, for test failures and the benchmark's stderr. */
export function describeMismatches(results: CaseResult[]): string {
  return results
    .filter((r) => r.mismatches.length > 0)
    .map((r) => `${r.c.id}:\n${r.mismatches.map((m) => `  ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`).join('\n')}`)
    .join('\n');
}
