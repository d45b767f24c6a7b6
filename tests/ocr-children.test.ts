/**
 * How the OCR engine hands pages to its children (docs/ocr.md, "Through a file, not a pipe"):
 * pdftoppm writes the rendering to a file of the work folder, read back in parts; tesseract and its
 * orientation detection read the page from a file there, never from standard input (tesseract reads
 * a pipe a byte at a time); every such file is gone once the document is read. The real tools run,
 * each behind a wrapper that logs its command line and copies the image it was given.
 * Needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ocrPdf, probeOcr } from '../gateway/documents/ocr/index.ts';
import { renderArgs } from '../gateway/documents/ocr/ocr-pdf.ts';
import { detectOrientation } from '../gateway/documents/ocr/orient.ts';
import { tesseract } from '../gateway/documents/ocr/read-page.ts';
import { PnmPlanes } from '../gateway/documents/ocr/planes.ts';
import { pgmParts } from '../gateway/documents/ocr/raster.ts';
import { runTool } from '../gateway/documents/ocr/run.ts';
import { useSimd } from '../gateway/documents/ocr/split-simd.ts';

const SCAN = path.join(import.meta.dirname, 'fixtures', 'ocr', 'decision-scan.pdf');
const probe = await probeOcr();
const ready = probe.available && probe.pdf && probe.langs.includes('vie');

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-children-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = path.join(dir, 'calls.log');
const copies = path.join(dir, 'copies');
mkdirSync(copies);

/** A wrapper around the real tool: logs "tool<TAB>arg<TAB>arg…", keeps a copy of tesseract's input file, then runs the tool. */
function wrap(tool: string): string {
  const real = ['/usr/bin', '/bin', '/usr/local/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p)) ?? tool;
  const file = path.join(dir, tool);
  const copy = tool === 'tesseract' ? `[ -f "$1" ] && cp "$1" '${copies}/'"$(date +%s%N)"\n` : '';
  writeFileSync(file, `#!/bin/sh\n(printf '%s' ${tool}; for a in "$@"; do printf '\\t%s' "$a"; done; echo) >> '${log}'\n${copy}exec '${real}' "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}
const tools = { tesseract: wrap('tesseract'), pdftoppm: wrap('pdftoppm'), pdfinfo: wrap('pdfinfo'), pdfimages: wrap('pdfimages') };

function calls(): string[][] {
  const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  rmSync(log, { force: true });
  return lines.map((l) => l.split('\t'));
}

/** A white page with a black bar: something for tesseract to look at. */
function page(width = 120, height = 80) {
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 30; y < 40; y++) data.fill(0, y * width + 20, y * width + 100);
  return { width, height, channels: 1 as const, data };
}

describe('renderArgs', () => {
  it('renders one page at the dpi asked into a file named after the root, in colour or grey', () => {
    expect(renderArgs('/in/a.pdf', 2, 300, false, '/w/render-2')).toEqual(['-r', '300', '-f', '2', '-l', '2', '-singlefile', '/in/a.pdf', '/w/render-2']);
    expect(renderArgs('/in/a.pdf', 1, 150, true, '/w/render-1')).toEqual([
      '-r',
      '150',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      '-gray',
      '/in/a.pdf',
      '/w/render-1',
    ]);
  });
});

describe.runIf(ready)('children given files, not pipes', () => {
  it('tesseract reads the page from a file of the work folder when there is one, byte for byte the PGM given', async () => {
    calls();
    const work = mkdtempSync(path.join(dir, 'work-'));
    const img = page();
    const ctl = new AbortController();
    const rec = await tesseract(pgmParts(img), 300, ['vie'], { tools, work }, ctl.signal);
    expect(rec.lang).toBe('vie');
    const [call] = calls();
    expect(call[0]).toBe('tesseract');
    expect(call[1]).not.toBe('stdin');
    expect(path.dirname(call[1])).toBe(work);
    const copy = readdirSync(copies).map((f) => path.join(copies, f));
    expect(copy).toHaveLength(1);
    expect(readFileSync(copy[0]).equals(Buffer.concat(pgmParts(img)))).toBe(true);
    // The file is removed once tesseract has read it.
    expect(readdirSync(work)).toEqual([]);
    for (const f of copy) rmSync(f);
    // Without a work folder, the bytes still go through standard input.
    await tesseract(pgmParts(img), 300, ['vie'], { tools }, ctl.signal);
    expect(calls()[0][1]).toBe('stdin');
  }, 60_000);

  it('orientation detection reads a file of the work folder too', async () => {
    calls();
    const work = mkdtempSync(path.join(dir, 'work-'));
    await detectOrientation(pgmParts(page()), 300, { tools, work });
    const [call] = calls();
    expect(call.slice(2, 4)).toEqual(['stdout', '--psm']);
    expect(path.dirname(call[1])).toBe(work);
    expect(readdirSync(work)).toEqual([]);
    for (const f of readdirSync(copies)) rmSync(path.join(copies, f));
  }, 60_000);

  it('a scanned PDF: pdftoppm renders into the work folder, tesseract reads files, and the folder is left empty', async () => {
    calls();
    const tmp = mkdtempSync(path.join(dir, 'tmp-'));
    const result = await ocrPdf(SCAN, { tools, tmpDir: tmp });
    expect(result.pages[0].text).toMatch(/QUYẾT ĐỊNH/);
    const all = calls();
    const render = all.filter((c) => c[0] === 'pdftoppm' && c[1] === '-r');
    expect(render).toHaveLength(1);
    // The last argument is the output root, in the document's work folder (under tmpDir), not the PDF.
    const root = render[0][render[0].length - 1];
    expect(root).toMatch(/render-1$/);
    expect(path.dirname(path.dirname(root))).toBe(tmp);
    expect(render[0][render[0].length - 2]).toBe(SCAN);
    const reads = all.filter((c) => c[0] === 'tesseract' && !c[1].startsWith('--'));
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const c of reads) {
      expect(c[1]).not.toBe('stdin');
      expect(path.dirname(path.dirname(c[1]))).toBe(tmp);
    }
    // The work folder with its rendering and input files is gone.
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});

describe.runIf(ready)('the seventh round on a real rendering (docs/ocr.md, "Huge pages for the children, and the split in SIMD")', () => {
  const render = async (name: string, env: NodeJS.ProcessEnv) => {
    const root = path.join(dir, name);
    const r = await runTool('pdftoppm', renderArgs(SCAN, 1, 300, false, root), { env });
    expect(r.code).toBe(0);
    return readFileSync(`${root}.ppm`);
  };

  it('pdftoppm renders the same page, byte for byte, with glibc malloc on huge pages and without', async () => {
    const withHuge = await render('huge', { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    const without = await render('plain', { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' });
    expect(withHuge.length).toBeGreaterThan(20_000_000);
    expect(Buffer.compare(withHuge, without)).toBe(0);
  }, 60_000);

  it('the rendered colour page (A4, 300 dpi, red seal) splits into the same planes in SIMD and in JavaScript', async () => {
    const ppm = await render('split', process.env);
    const split = (simd: boolean) => {
      useSimd(simd);
      try {
        const p = new PnmPlanes({ maxPixels: 40e6 });
        // As ocr-pdf.ts reads it: 1 MB at a time (a pixel cut between two reads).
        for (let at = 0; at < ppm.length; at += 1 << 20) p.push(ppm.subarray(at, at + (1 << 20)));
        return p.end();
      } finally {
        useSimd(true);
      }
    };
    const a = split(true);
    const b = split(false);
    expect([a.width, a.height]).toEqual([2481, 3508]);
    expect(Buffer.compare(a.gray.data, b.gray.data)).toBe(0);
    expect(Buffer.compare(a.red?.data ?? new Uint8Array(), b.red?.data ?? new Uint8Array())).toBe(0);
    expect(a.redFraction).toBe(b.redFraction);
    expect(a.redFraction).toBeGreaterThan(0);
  }, 60_000);
});
