/**
 * Classification benchmark: prints ONE JSON object on stdout — per-field and overall accuracy over
 * the corpus, documents/s over the corpus, and two-page PDFs/s per core (the same two-page PDF
 * classified repeatedly in one process, i.e. on one core). Mismatches go to stderr.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyDocumentBytes, classifyFile } from '../gateway/documents/index.ts';
import { accuracy, describeMismatches, loadCorpus, runCorpus } from '../tests/corpus/run.ts';

const here = dirname(fileURLToPath(import.meta.url));
const twoPage = join(here, '..', 'tests', 'corpus', 'two-page.pdf');

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

const cases = loadCorpus();
const results = await runCorpus(cases);
const acc = accuracy(results);
const seedAcc = accuracy(results.filter((r) => r.c.seed));
const mismatches = describeMismatches(results);
if (mismatches) process.stderr.write(mismatches + '\n');

// Warm up (module loading, JIT), then measure.
for (const c of cases) await classifyFile(c.file);
let i = 0;
const docs = await timeLoop(5, () => classifyFile(cases[i++ % cases.length].file));
const pdf = readFileSync(twoPage);
for (let k = 0; k < 20; k++) await classifyDocumentBytes('two-page.pdf', pdf);
const pdfs = await timeLoop(5, () => classifyDocumentBytes('two-page.pdf', pdf));

const round = (x: number) => Math.round(x * 10) / 10;
process.stdout.write(
  JSON.stringify({
    corpusCases: cases.length,
    fieldAccuracy: Object.fromEntries(Object.entries(acc.perField).map(([k, v]) => [k, v.accuracy])),
    overallAccuracy: acc.overall.accuracy,
    fieldsCorrect: acc.overall.correct,
    fieldsTotal: acc.overall.total,
    seedAccuracy: seedAcc.overall.accuracy,
    documentsPerSecond: round(docs.n / docs.wallSeconds),
    twoPagePdfsPerSecondPerCore: round(pdfs.n / pdfs.cpuSeconds),
    twoPagePdfsPerSecondWall: round(pdfs.n / pdfs.wallSeconds),
  }) + '\n',
);
