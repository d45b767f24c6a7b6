/**
 * Classification benchmark: the made corpus (tests/corpus: seeds, cases, handwritten) and the real
 * corpus (tests/corpus/real, issue 15) side by side — per-field accuracy of each, the count of
 * confidently wrong fields of each (a wrong value whose confidence is at or above the registry's
 * auto-register threshold, gateway/config/registry.ts), documents/s per core of each — and two-page
 * PDFs/s per core (the same two-page PDF classified repeatedly in one process, i.e. on one core).
 *
 * stdout: ONE JSON object. The fields it had before the real corpus keep their names and meaning
 * (the made corpus); `made` and `real` are added. stderr: the side-by-side table, then mismatches
 * (`--quiet` leaves the mismatches out).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyDocumentBytes, classifyFile, classifyMessage } from '../gateway/documents/index.ts';
import type { Classification, FieldConfidence } from '../gateway/documents/types.ts';
import { accuracy, type CaseResult, describeMismatches, loadCorpus, runCorpus } from '../tests/corpus/run.ts';
import {
  AUTO_REGISTER_THRESHOLD,
  confidentlyWrong,
  describeRuns,
  type FileRun,
  loadLabels,
  messageOf,
  NOW,
  REAL_DIR,
  runOne,
  summarise,
} from '../tests/corpus/real/score.ts';

const here = dirname(fileURLToPath(import.meta.url));
const twoPage = join(here, '..', 'tests', 'corpus', 'two-page.pdf');
const quiet = process.argv.includes('--quiet');

async function timeLoop(seconds: number, fn: () => Promise<unknown>): Promise<{ n: number; cpuSeconds: number; wallSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await fn();
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return { n, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - t0) / 1000 };
}

const round = (x: number) => Math.round(x * 10) / 10;

// ---------------------------------------------------------------------------------------------
// Made corpus: confidence of each compared field (the contract's names, tests/corpus/run.ts)
// ---------------------------------------------------------------------------------------------

function madeConfidence(field: string, c: Classification): number {
  const fc = (c.fieldConfidence ?? {}) as Partial<FieldConfidence>;
  if (field === 'typeName') return fc.typeCode ?? 0;
  if (field in fc) return fc[field as keyof FieldConfidence] ?? 0;
  return c.confidence;
}

const IDENTITY_MADE = new Set(['number', 'notation', 'issuer', 'issuedDate']);

function madeConfidentlyWrong(results: CaseResult[]): { fields: number; identity: number; byField: Record<string, number> } {
  const byField: Record<string, number> = {};
  let fields = 0;
  let identity = 0;
  for (const r of results) {
    if (!r.actual.document) continue;
    for (const m of r.mismatches) {
      const v = m.actual;
      if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
      if (madeConfidence(m.field, r.actual) < AUTO_REGISTER_THRESHOLD) continue;
      fields++;
      if (IDENTITY_MADE.has(m.field)) identity++;
      byField[m.field] = (byField[m.field] ?? 0) + 1;
    }
  }
  return { fields, identity, byField };
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

const cases = loadCorpus();
const results = await runCorpus(cases);
const acc = accuracy(results);
const seedAcc = accuracy(results.filter((r) => r.c.seed));
const madeWrong = madeConfidentlyWrong(results);

const labels = loadLabels();
const realRuns: FileRun[] = [];
for (const l of labels) realRuns.push(await runOne(l, 'pipeline'));
const real = summarise(realRuns);

// Warm up (module loading, JIT), then measure.
for (const c of cases) await classifyFile(c.file);
let i = 0;
const docs = await timeLoop(5, () => classifyFile(cases[i++ % cases.length].file));
const messages = labels.map((l) => messageOf(l, readFileSync(join(REAL_DIR, l.file))));
let j = 0;
const realDocs = await timeLoop(5, () => classifyMessage(messages[j++ % messages.length], { now: NOW, onLimit: 'throw' }).catch(() => null));
const pdf = readFileSync(twoPage);
for (let k = 0; k < 20; k++) await classifyDocumentBytes('two-page.pdf', pdf);
const pdfs = await timeLoop(5, () => classifyDocumentBytes('two-page.pdf', pdf));

const madeFields = Object.fromEntries(Object.entries(acc.perField).map(([k, v]) => [k, v.accuracy]));
const made = {
  corpus: 'tests/corpus (seeds, cases, handwritten)',
  documents: cases.length,
  fieldAccuracy: madeFields,
  overallAccuracy: acc.overall.accuracy,
  confidentlyWrongFields: madeWrong.fields,
  confidentlyWrongIdentity: madeWrong.identity,
  confidentlyWrongByField: madeWrong.byField,
  documentsPerSecondPerCore: round(docs.n / docs.cpuSeconds),
};
const realOut = {
  corpus: 'tests/corpus/real',
  documents: labels.length,
  formats: Object.fromEntries([...new Set(labels.map((l) => l.format))].map((f) => [f, labels.filter((l) => l.format === f).length])),
  fieldAccuracy: real.fieldAccuracy,
  overallAccuracy: real.overallAccuracy,
  confidentlyWrongFields: real.confidentlyWrongFields,
  confidentlyWrongIdentity: real.confidentlyWrongIdentity,
  confidentlyWrongByField: real.confidentlyWrongByField,
  filesAllFieldsRight: real.filesAllFieldsRight,
  documentsPerSecondPerCore: round(realDocs.n / realDocs.cpuSeconds),
};

// The side-by-side table (stderr, so stdout stays one JSON object).
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));
const pct = (x: number | undefined) => (x === undefined ? '—' : (x * 100).toFixed(1) + ' %');
const table: string[] = [
  `auto-register threshold ${AUTO_REGISTER_THRESHOLD}`,
  `${pad('', 22)}${pad(`made (${made.documents})`, 16)}real (${realOut.documents})`,
  `${pad('per field', 22)}`,
];
const madeOf: Record<string, string[]> = {
  kind: ['kind'],
  number: ['notation'],
  docType: ['typeName'],
  issuer: ['issuer'],
  place: ['place'],
  date: ['issuedDate'],
  subject: ['subject'],
  signerName: ['signer'],
  signerTitle: ['signer'],
  signerAuthority: ['signer'],
  urgency: ['urgency'],
  secrecy: ['secrecy'],
};
for (const [field, v] of Object.entries(real.fieldAccuracy)) {
  const m = madeOf[field]?.[0];
  const mv = m ? (madeFields[m] as number | undefined) : undefined;
  table.push(`  ${pad(field, 20)}${pad(pct(mv), 16)}${pct(v)}${m && m !== field ? `   (made: ${m})` : ''}`);
}
table.push(
  `${pad('overall', 22)}${pad(pct(made.overallAccuracy), 16)}${pct(realOut.overallAccuracy)}`,
  `${pad('confidently wrong', 22)}${pad(String(made.confidentlyWrongFields), 16)}${realOut.confidentlyWrongFields}`,
  `${pad('  of the identity', 22)}${pad(String(made.confidentlyWrongIdentity), 16)}${realOut.confidentlyWrongIdentity}`,
  `${pad('docs/s per core', 22)}${pad(String(made.documentsPerSecondPerCore), 16)}${realOut.documentsPerSecondPerCore}`,
  `two-page PDFs/s per core: ${round(pdfs.n / pdfs.cpuSeconds)}`,
);
process.stderr.write(table.join('\n') + '\n');
if (!quiet) {
  const mismatches = describeMismatches(results);
  if (mismatches) process.stderr.write(mismatches + '\n');
  const realMismatches = describeRuns('pipeline', realRuns);
  if (realMismatches) process.stderr.write(realMismatches + '\n');
} else {
  const wrong = realRuns.flatMap((r) => r.fields.filter((f) => confidentlyWrong(f)).map((f) => `${r.label.file}: ${f.field}`));
  if (wrong.length) process.stderr.write(`confidently wrong (real): ${wrong.join('; ')}\n`);
}

process.stdout.write(
  JSON.stringify({
    corpusCases: cases.length,
    fieldAccuracy: madeFields,
    overallAccuracy: acc.overall.accuracy,
    fieldsCorrect: acc.overall.correct,
    fieldsTotal: acc.overall.total,
    seedAccuracy: seedAcc.overall.accuracy,
    documentsPerSecond: round(docs.n / docs.wallSeconds),
    twoPagePdfsPerSecondPerCore: round(pdfs.n / pdfs.cpuSeconds),
    twoPagePdfsPerSecondWall: round(pdfs.n / pdfs.wallSeconds),
    autoRegisterThreshold: AUTO_REGISTER_THRESHOLD,
    made,
    real: realOut,
  }) + '\n',
);
