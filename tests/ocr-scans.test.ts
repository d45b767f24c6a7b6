/**
 * The degraded-scan corpus (tests/corpus/scans, made from real documents by make.ts) read as the
 * pipeline reads a scan: real tesseract, then the word boxes through the layout reader
 * (documents/ocr/classify.ts). Also: pages turned sideways are turned upright (orient.ts), the
 * searchable copy carries the text (searchable.ts), and real scans whose own text layer is garbage
 * go to OCR or review instead of being taken for mail (text-quality.ts). Field accuracy over the
 * whole corpus is measured by `npm run bench:ocr`, not asserted here.
 * Needs tesseract-ocr, tesseract-ocr-vie, tesseract-ocr-osd (for orientation) and poppler-utils.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyMessage } from '../gateway/documents/index.ts';
import { pagesNeedingOcr, probeOcr, searchablePdf, searchablePdfOfImage } from '../gateway/documents/ocr/index.ts';
import { buildMessage, confidentlyWrong, IDENTITY, NOW, REAL_DIR } from './corpus/real/score.ts';
import { loadCases, ocrFile, readScan, type ScanRun, SCANS_DIR } from './corpus/scans/score.ts';

const probe = await probeOcr();
const ready = probe.available && probe.pdf && probe.langs.includes('vie');
const cases = new Map(loadCases().map((c) => [c.file, c]));
const tmp = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-scans-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const field = (run: ScanRun, name: string) => run.fields.find((f) => f.field === name);
const ok = (fields: ScanRun['fields']) => fields.filter((f) => f.ok).map((f) => f.field);

function noConfidentlyWrongIdentity(run: ScanRun): void {
  const wrong = run.fields.filter((f) => IDENTITY.includes(f.field) && confidentlyWrong(f));
  expect(wrong.map((f) => `${run.file} ${f.field}: ${JSON.stringify(f.actual)} at ${f.confidence}`)).toEqual([]);
}

describe.runIf(ready)('degraded scans of real documents, read by position', () => {
  it('reads a phone photo by its layout: the document and its header, where the flattened text finds no document', async () => {
    const run = await readScan(cases.get('cv-tinhdoan-lamdong-156-photo.jpg')!);
    expect(run.read.layout).toBe(true);
    expect(run.read.classification.kind).toBe('document');
    for (const f of ['number', 'docType', 'signerName', 'signerTitle', 'signerAuthority']) expect(field(run, f)?.ok, f).toBe(true);
    // The same words read as lines of text only (before the boxes reached the layout reader) give no more.
    expect(ok(run.fields).length).toBeGreaterThanOrEqual(ok(run.plain).length);
    // Straightened from its perspective first (perspective.ts).
    expect(run.ocr.pages[0].sheet).toHaveLength(4);
    noConfidentlyWrongIdentity(run);
  }, 300_000);

  it('reads the signer block of a sealed scan from the closing band', async () => {
    const spawned: string[] = [];
    const run = await readScan(cases.get('cv-bnv-11902-seal.pdf')!, { onSpawn: ({ tool }) => spawned.push(tool) });
    // An upright page read well is read once: no orientation check, no second language pass; only
    // its signature block, garbled under the seal, is read again on its own (signer-band.ts).
    expect(spawned.filter((t) => t === 'tesseract')).toHaveLength(2);
    expect(run.ocr.pages[0].signerBandReread).toBe(true);
    expect(run.read.layout).toBe(true);
    for (const f of ['number', 'issuer', 'date', 'subject', 'docType', 'signerAuthority']) expect(field(run, f)?.ok, f).toBe(true);
    // The same words read as lines of text only give no more (since the signature block is read
    // again on its own, its cleaner lines give the authority to that reading too).
    expect(ok(run.fields).length).toBeGreaterThanOrEqual(ok(run.plain).length);
    // OCR confidence lowers the fields' confidence: none is worth more than the words it was read from.
    const c = run.read.classification;
    expect(c.confidence).toBeLessThan(1);
    expect(c.fieldConfidence?.notation ?? 1).toBeLessThanOrEqual(0.99);
    noConfidentlyWrongIdentity(run);
  }, 300_000);

  it.runIf(probe.available && probe.langs.includes('osd'))(
    'turns a page fed sideways upright before reading it, and reads it by position',
    async () => {
      const spawned: string[] = [];
      const run = await readScan(cases.get('cv-bnv-8151-sideways.pdf')!, { onSpawn: ({ tool }) => spawned.push(tool) });
      expect(run.ocr.pages[0]).toMatchObject({ rotated: 270 });
      // Its lines run down the page, and are light below once turned 270° (the ink profile says so): read once.
      // (and its signature block again on its own when the lexicon vouches for too little there: signer-band.ts).
      expect(spawned.filter((t) => t === 'tesseract')).toHaveLength(run.ocr.pages[0].signerBandReread === undefined ? 1 : 2);
      expect(run.ocr.pages[0].height).toBeGreaterThan(run.ocr.pages[0].width);
      expect(run.read.layout).toBe(true);
      for (const f of ['number', 'issuer', 'date', 'docType']) expect(field(run, f)?.ok, f).toBe(true);
      noConfidentlyWrongIdentity(run);
    },
    300_000,
  );
});

describe.runIf(ready)('searchable copy', () => {
  it('adds the recognised text over the scanned pages, which keep their size and image', async () => {
    const file = 'cv-stp-lamdong-125-jpeg.pdf';
    const original = readFileSync(path.join(SCANS_DIR, file));
    const result = await ocrFile(file, { searchable: true });
    const copy = await searchablePdf(original, result);
    expect(copy.pagesWithText).toEqual([1]);
    const out = path.join(tmp, 'searchable.pdf');
    writeFileSync(out, copy.bytes);
    const text = (f: string) => execFileSync('pdftotext', [f, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text(path.join(SCANS_DIR, file)).trim()).toBe('');
    const found = text(out);
    expect(found).toContain('Sở Tư pháp nhận được Công văn số 215/SNV-CCHC');
    expect(found).toContain('Sở Tư pháp gửi Sở Nội vụ biết');
    const size = (f: string) => /Page size:\s+([\d.]+ x [\d.]+)/.exec(execFileSync('pdfinfo', [f], { encoding: 'utf8' }))?.[1];
    expect(size(out)).toBe(size(path.join(SCANS_DIR, file)));
    // The words lie where they are printed: "Số:" in the top left quarter of the page.
    const bbox = execFileSync('pdftotext', ['-bbox', out, '-'], { encoding: 'utf8' });
    const so = /<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>Số:/.exec(bbox);
    expect(so).not.toBeNull();
    expect(Number(so?.[1])).toBeLessThan(300);
    expect(Number(so?.[2])).toBeLessThan(200);
  }, 300_000);

  it('makes a PDF of a photographed page, upright, with its text', async () => {
    const file = 'cv-stp-lamdong-1813-upside-down.jpg';
    const result = await ocrFile(file, { searchable: true });
    expect(result.pages[0].rotated).toBe(180);
    expect(result.pages[0].sheet).toHaveLength(4);
    const copy = await searchablePdfOfImage(readFileSync(path.join(SCANS_DIR, file)), result);
    const out = path.join(tmp, 'photo.pdf');
    writeFileSync(out, copy.bytes);
    expect(execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' })).toContain('STP-BTTP');
  }, 300_000);
});

describe.runIf(ready)('real scans whose own text layer is garbage', () => {
  const broken = ['docs/cv-ubnd-lamdong-4377-ocr.pdf', 'docs/ttr-cat-lamdong-298-font.pdf'];

  it('are pages that need OCR, not text to read', async () => {
    for (const f of broken) {
      const pages = await pagesNeedingOcr(path.join(REAL_DIR, f));
      expect(pages[0], f).toMatchObject({ needsOcr: true, reason: 'broken-text' });
    }
    // A signed PDF with a good text layer over its images is left alone.
    const good = await pagesNeedingOcr(path.join(REAL_DIR, 'docs/cv-bnv-11902.pdf'));
    expect(good.every((p) => !p.needsOcr)).toBe(true);
  });

  it('make a message "possibly a document", for review, not mail kept at 0.9', async () => {
    for (const f of broken) {
      const c = await classifyMessage(buildMessage(f, readFileSync(path.join(REAL_DIR, f))), { now: NOW });
      expect(c.kind, f).toBe('correspondence');
      expect(c.confidence, f).toBeLessThanOrEqual(0.5);
      expect(
        c.reasons.some((r) => r.includes('broken text layer')),
        f,
      ).toBe(true);
    }
  });
});
