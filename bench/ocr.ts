/**
 * `npm run bench:ocr` (issue 20): the degraded-scan corpus (tests/corpus/scans) read as the
 * pipeline reads a scan — OCR with preprocessing and orientation, word boxes through the layout
 * reader — against the same documents' text versions (tests/corpus/real), and bare `tesseract` on
 * the same pages in the same run. One page at a time, one tesseract thread: pages/s is per core.
 * Prints one JSON object. Measured, not asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { confidentlyWrong, type FieldResult, IDENTITY } from '../tests/corpus/real/score.ts';
import { toolEnv, toolSpawner } from '../gateway/documents/ocr/run.ts';
import { simdAvailable, simdPixels } from '../gateway/documents/ocr/split-simd.ts';
import { accuracy, classifyScan, loadCases, ocrFile, readOriginal, SCANS_DIR } from '../tests/corpus/scans/score.ts';

const DPI = 300;

/**
 * CPU time (ms) of this process and of the children it has waited for (/proc/self/stat: utime,
 * stime, cutime, cstime), so the comparison with bare tesseract holds on a machine others load:
 * wall time there measures the neighbours as much as the work. null off Linux.
 */
function procCpuMs(pid: number | 'self'): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * (1000 / 100);
  } catch {
    return null;
  }
}

/**
 * This process's CPU, and the spawn helper's with the tools it has waited for: the tools are its
 * children, not ours (run.ts toolSpawner, docs/ocr.md "Started from a small helper").
 */
function cpuMs(): number | null {
  const self = procCpuMs('self');
  const helper = toolSpawner.pid;
  if (self === null || helper === null) return self;
  const more = procCpuMs(helper);
  return more === null ? self : self + more;
}
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Bare tesseract on the page as the scan holds it: pdftoppm at the same dpi for a PDF, the image
 * file itself otherwise. `sameEnv`: with the environment our children get (run.ts toolEnv: glibc's
 * malloc on transparent huge pages), for the comparison on equal terms.
 */
function bare(file: string, pages: number[], dir: string, sameEnv = false): number {
  const full = path.join(SCANS_DIR, file);
  const base = { ...process.env, OMP_THREAD_LIMIT: '1' };
  const env = sameEnv ? toolEnv(base) : base;
  const t0 = performance.now();
  for (const p of pages) {
    let img = full;
    if (file.endsWith('.pdf')) {
      const prefix = path.join(dir, `bare-${p}`);
      execFileSync('pdftoppm', ['-r', String(DPI), '-f', String(p), '-l', String(p), '-singlefile', '-gray', full, prefix], { env });
      img = `${prefix}.pgm`;
    }
    execFileSync('tesseract', [img, 'stdout', '-l', 'vie', '--psm', '3', '--dpi', String(DPI), 'tsv'], { env, stdio: ['ignore', 'ignore', 'ignore'] });
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-bench-ocr-'));
  const loadAtStart = loadavg().map((x) => round(x, 1));
  const rows: unknown[] = [];
  const scans: FieldResult[][] = [];
  const plains: FieldResult[][] = [];
  const texts: FieldResult[][] = [];
  let pages = 0;
  let ours = 0;
  let ocrOnly = 0;
  let ocrCpu = 0;
  let bareCpu = 0;
  let bareSameCpu = 0;
  let tess = 0;
  let wrongIdentities = 0;
  let lowReads = 0;
  try {
    for (const c of loadCases()) {
      const t0 = performance.now();
      const c0 = cpuMs();
      const ocr = await ocrFile(c.file, { threads: 1 });
      const c1 = cpuMs();
      const run = await classifyScan(c, ocr);
      const ms = performance.now() - t0;
      const n = run.ocr.pages.length;
      const c2 = cpuMs();
      const bareMs = bare(
        c.file,
        run.ocr.pages.map((p) => p.page),
        dir,
      );
      const c3 = cpuMs();
      bare(
        c.file,
        run.ocr.pages.map((p) => p.page),
        dir,
        true,
      );
      const c4 = cpuMs();
      if (c0 !== null && c1 !== null && c2 !== null && c3 !== null && c4 !== null) {
        ocrCpu += c1 - c0;
        bareCpu += c3 - c2;
        bareSameCpu += c4 - c3;
      }
      const original = await readOriginal(c);
      const wrong = run.fields.filter((f) => IDENTITY.includes(f.field) && confidentlyWrong(f));
      pages += n;
      ours += ms;
      ocrOnly += run.ocr.ms;
      tess += bareMs;
      wrongIdentities += wrong.length;
      if (run.read.low) lowReads++;
      scans.push(run.fields);
      plains.push(run.plain);
      texts.push(original);
      rows.push({
        file: path.basename(c.file),
        degradations: c.real ? ['real scan'] : c.degradations,
        pages: n,
        layout: run.read.layout,
        rotated: run.ocr.pages.map((p) => p.rotated),
        // The signature block read again on its own (signer-band.ts): kept, not kept, or not read again (null).
        signerBandReread: run.ocr.pages.map((p) => p.signerBandReread ?? null),
        meanConfidence: run.ocr.pages.map((p) => p.meanConfidence),
        scan: `${run.fields.filter((f) => f.ok).length}/${run.fields.length}`,
        plainText: `${run.plain.filter((f) => f.ok).length}/${run.plain.length}`,
        textLayer: `${original.filter((f) => f.ok).length}/${original.length}`,
        missed: run.fields.filter((f) => !f.ok).map((f) => f.field),
        confidentlyWrong: wrong.map((f) => `${f.field}: ${JSON.stringify(f.actual)} at ${f.confidence}`),
        low: run.read.low,
        msPerPage: Math.round(ms / n),
        ocrMsPerPage: Math.round(run.ocr.ms / n),
        ...(c0 !== null && c1 !== null && c2 !== null && c3 !== null
          ? { ocrCpuMsPerPage: Math.round((c1 - c0) / n), bareCpuMsPerPage: Math.round((c3 - c2) / n) }
          : {}),
        bareTesseractMsPerPage: Math.round(bareMs / n),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const scanAcc = accuracy(scans);
  const textAcc = accuracy(texts);
  // Per field, over the corpus.
  const perField: Record<string, { scan: number; text: number }> = {};
  for (const f of scans[0]?.map((x) => x.field) ?? []) {
    const pick = (runs: typeof scans) => runs.map((r) => r.filter((x) => x.field === f));
    perField[f] = { scan: accuracy(pick(scans)), text: accuracy(pick(texts)) };
  }
  const out = {
    bench: 'ocr',
    documents: rows.length,
    pages,
    dpi: DPI,
    fieldAccuracy: { scan: scanAcc, scanAsPlainText: accuracy(plains), textLayer: textAcc, ratio: textAcc ? round(scanAcc / textAcc) : null, goalRatio: 0.9 },
    perField,
    confidentlyWrongIdentities: wrongIdentities,
    lowConfidenceReads: lowReads,
    pagesPerSecondPerCore: round(pages / (ours / 1000)),
    msPerPage: Math.round(ours / pages),
    bareTesseractMsPerPage: Math.round(tess / pages),
    timeRatioToBareTesseract: round(ours / tess),
    goalTimeRatio: 1.2,
    // The same without the two classifications of each reading (layout reader and plain lines): OCR alone.
    ocrOnlyMsPerPage: Math.round(ocrOnly / pages),
    ocrOnlyTimeRatioToBareTesseract: round(ocrOnly / tess),
    // CPU time (ours: this process and its children during OCR; bare: its children), load-proof.
    ocrCpuMsPerPage: Math.round(ocrCpu / pages),
    bareTesseractCpuMsPerPage: Math.round(bareCpu / pages),
    cpuTimeRatioToBareTesseract: bareCpu ? round(ocrCpu / bareCpu) : null,
    // Bare tesseract (and its pdftoppm) given the environment our children get (run.ts toolEnv):
    // the comparison on equal terms, since bare tesseract as installed does not get it.
    childEnv: { GLIBC_TUNABLES: toolEnv({ ...process.env }).GLIBC_TUNABLES ?? null },
    bareTesseractSameEnvCpuMsPerPage: Math.round(bareSameCpu / pages),
    cpuTimeRatioToBareTesseractSameEnv: bareSameCpu ? round(ocrCpu / bareSameCpu) : null,
    // The colour pages split in WebAssembly SIMD (split-simd.ts): on here, and the pixels it split.
    simdSplit: simdAvailable(),
    simdPixelsSplit: simdPixels(),
    // Who started the tools (run.ts): the spawn helper, or this process (VANTHU_OCR_SPAWN=direct).
    spawn: process.env.VANTHU_OCR_SPAWN === 'direct' ? 'direct' : 'helper',
    spawnHelpersStarted: toolSpawner.started,
    loadAverage: { start: loadAtStart, end: loadavg().map((x) => round(x, 1)) },
    documentsDetail: rows,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
