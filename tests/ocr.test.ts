/**
 * OCR engine (gateway/documents/ocr) on a realistic scan of a Decree 30 decision: image-only PDF,
 * 200 dpi JPEG, turned 1.5°, red seal and signature over the signer block, paper tone, noise
 * (tests/fixtures/ocr/make.ts). Needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OcrAborted,
  OcrBadImage,
  OcrBadPdf,
  type OcrPage,
  type OcrProgress,
  OcrTimeout,
  OcrUnavailable,
  type OcrWord,
  ocrImage,
  ocrPdf,
  pagesNeedingOcr,
  probeOcr,
  REASON_NO_VIE,
} from '../gateway/documents/ocr/index.ts';
import { pidAlive } from './helpers/processes.ts';

const DIR = path.join(import.meta.dirname, 'fixtures', 'ocr');
const SCAN = path.join(DIR, 'decision-scan.pdf');
const TEXT = path.join(DIR, 'decision-text.pdf');
const PHOTO = path.join(DIR, 'decision-photo.jpg');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  dpi: number;
  skewDegrees: number;
  photo: { width: number; height: number; skewDegrees: number };
  signer: string;
  number: string;
  title: string;
};

const nfc = (s: string) => s.normalize('NFC');

const alive = pidAlive;

function lev(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** How well the page shows `want` somewhere in one line: 1 − edit distance / length, best window. */
function similarity(page: OcrPage, want: string): number {
  let best = 0;
  for (const l of page.lines) {
    const text = nfc(l.text);
    for (let i = 0; i <= Math.max(0, text.length - want.length); i++) best = Math.max(best, 1 - lev(text.slice(i, i + want.length), want) / want.length);
  }
  return best;
}

function word(page: OcrPage, re: RegExp): OcrWord {
  const w = page.words.find((x) => re.test(nfc(x.text)));
  if (!w) throw new Error(`no word ${re} in ${page.text}`);
  return w;
}

let scan: OcrPage;
const progress: OcrProgress[] = [];

beforeAll(async () => {
  const r = await ocrPdf(SCAN, { onPage: (p) => progress.push(p) });
  expect(r.pageCount).toBe(1);
  scan = r.pages[0];
}, 120_000);

describe('probe', () => {
  it('says OCR is available here, with Vietnamese', async () => {
    const p = await probeOcr();
    expect(p).toMatchObject({ available: true, pdf: true });
    if (!p.available) throw new Error(p.reason);
    expect(p.version).toMatch(/^\d+\.\d+/);
    expect(p.langs).toContain('vie');
  });

  it('says why not when tesseract is not on the PATH', async () => {
    const p = await probeOcr({ env: { ...process.env, PATH: '/nonexistent' } });
    expect(p.available).toBe(false);
    if (p.available) return;
    expect(p.reason).toContain('không có OCR: thiếu tesseract-ocr');
    expect(p.reason).toMatch(/tesseract is not installed/);
  });

  it('says why not when the vie language is missing, and OCR refuses with a typed error', async () => {
    const tessdata = mkdtempSync(path.join(tmpdir(), 'vanthu-tessdata-'));
    try {
      symlinkSync('/usr/share/tesseract-ocr/5/tessdata/eng.traineddata', path.join(tessdata, 'eng.traineddata'));
      const env = { ...process.env, TESSDATA_PREFIX: tessdata };
      const p = await probeOcr({ env });
      expect(p).toEqual({ available: false, reason: REASON_NO_VIE });
      expect(REASON_NO_VIE).toContain('không có OCR: thiếu tesseract-ocr-vie');
      await expect(ocrPdf(SCAN, { tools: { env } })).rejects.toBeInstanceOf(OcrUnavailable);
    } finally {
      rmSync(tessdata, { recursive: true, force: true });
    }
  });
});

describe('pages needing OCR', () => {
  it('flags the scan (no text layer, a page-size image) and not the born-digital PDF', async () => {
    const s = await pagesNeedingOcr(SCAN);
    expect(s).toEqual([{ page: 1, chars: 0, imageCoverage: 1, needsOcr: true, reason: 'no-text', largestImage: { width: 1654, height: 2339, ppi: 200 } }]);
    expect(await pagesNeedingOcr(readFileSync(SCAN))).toEqual(s);
    const t = await pagesNeedingOcr(TEXT);
    expect(t).toHaveLength(1);
    expect(t[0].needsOcr).toBe(false);
    expect(t[0].chars).toBeGreaterThan(500);
  });

  it('refuses a damaged PDF with a typed error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-bad-'));
    try {
      const bad = path.join(dir, 'bad.pdf');
      execFileSync('sh', ['-c', `head -c 3000 "${SCAN}" > "${bad}"`]);
      await expect(pagesNeedingOcr(bad)).rejects.toBeInstanceOf(OcrBadPdf);
      await expect(ocrPdf(bad)).rejects.toMatchObject({ code: 'ocr-bad-pdf', permanent: true });
      await expect(ocrPdf(readFileSync(bad))).rejects.toBeInstanceOf(OcrBadPdf);
      await expect(pagesNeedingOcr(Buffer.from('%PDF-1.7\n%%EOF'))).rejects.toBeInstanceOf(OcrBadPdf);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('OCR of the scanned decision', () => {
  it('reads the number, the title and the headers with their diacritics', () => {
    const text = nfc(scan.text);
    expect(text).toContain(expected.number); // "Số: 05/QĐ-UBND"
    expect(text).toContain(expected.title); // "QUYẾT ĐỊNH"
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toMatch(/Lâm Đồng, ngày\W{0,2}05 tháng 3 năm 2024/); // a dust speck may sit before "05"
    expect(text).toContain('Điều 1.');
    expect(scan.meanConfidence).toBeGreaterThan(85);
    expect(scan.lang).toBe('vie');
    expect(progress).toEqual([{ page: 1, index: 1, total: 1 }]);
  });

  it('finds and undoes the 1.5° skew, and keeps boxes in the page image as rendered', () => {
    expect(scan.skewDegrees).toBeCloseTo(expected.skewDegrees, 0);
    expect(Math.abs(scan.skewDegrees - expected.skewDegrees)).toBeLessThanOrEqual(0.2);
    // A4 (595.28 × 841.89 pt) at 300 dpi, as pdftoppm rounds it.
    expect(scan.dpi).toBe(300);
    expect(Math.abs(scan.width - 2480)).toBeLessThanOrEqual(1);
    expect(Math.abs(scan.height - 3508)).toBeLessThanOrEqual(1);
  });

  it('puts the number in the top-left quarter and the title centred, where the page has them', () => {
    const num = word(scan, /05\/QĐ-UBND/);
    expect(num.x + num.w / 2).toBeLessThan(scan.width / 2);
    expect(num.y + num.h / 2).toBeLessThan(scan.height / 4);
    expect(num.line).toBe(word(scan, /^Số:$/).line);
    // The title: the first line reading QUYẾT ĐỊNH, its two words centred on the page.
    const title = word(scan, /^QUYẾT$/);
    const dinh = scan.words[scan.words.indexOf(title) + 1];
    expect(nfc(dinh.text)).toBe('ĐỊNH');
    expect(dinh.line).toBe(title.line);
    expect(Math.abs((title.x + dinh.x + dinh.w) / 2 - scan.width / 2)).toBeLessThan(scan.width * 0.02);
    expect(title.y).toBeLessThan(scan.height / 4);

    // Where the born-digital page has the number, turned 1.5° clockwise about the centre like the
    // sheet in the scanner, in pixels at 300 dpi: the OCR box must be there within a few pixels.
    const bbox = execFileSync('pdftotext', ['-bbox', TEXT, '-'], { encoding: 'utf8' });
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">05\/QĐ-UBND<\/word>/.exec(nfc(bbox));
    if (!m) throw new Error('number not in the text layer');
    const k = 300 / 72;
    const [x0, y0, x1, y1] = m.slice(1, 5).map((v) => Number(v) * k);
    const a = (expected.skewDegrees * Math.PI) / 180;
    const cx = (scan.width - 1) / 2;
    const cy = (scan.height - 1) / 2;
    const dx = (x0 + x1) / 2 - cx;
    const dy = (y0 + y1) / 2 - cy;
    const want = [cx + dx * Math.cos(a) - dy * Math.sin(a), cy + dx * Math.sin(a) + dy * Math.cos(a)];
    expect(Math.abs(num.x + num.w / 2 - want[0])).toBeLessThan(15);
    expect(Math.abs(num.y + num.h / 2 - want[1])).toBeLessThan(15);
    expect(Math.abs(num.w - (x1 - x0))).toBeLessThan(20);
  });

  it('reads the signer under the red seal better with red removal than without', async () => {
    const plain = (await ocrPdf(SCAN, { removeRed: false })).pages[0];
    const withRemoval = similarity(scan, expected.signer);
    const without = similarity(plain, expected.signer);
    console.log(
      `signer "${expected.signer}": similarity ${withRemoval.toFixed(2)} with red removal (page conf ${scan.meanConfidence}, red ${(scan.redFraction * 100).toFixed(2)}% of pixels), ` +
        `${without.toFixed(2)} without (page conf ${plain.meanConfidence})`,
    );
    expect(withRemoval).toBeGreaterThanOrEqual(without);
    expect(withRemoval).toBeGreaterThanOrEqual(0.9);
    expect(scan.redFraction).toBeGreaterThan(0.002);
    expect(plain.redFraction).toBe(0);
    const name = scan.words.find((w) => nfc(w.text) === 'Hiệp');
    expect(name).toBeDefined();
    // The signer block is in the lower right.
    expect((name?.x ?? 0) > scan.width / 2 && (name?.y ?? 0) > scan.height / 2).toBe(true);
  }, 120_000);
});

describe('OCR of a photo', () => {
  it('reads a phone-like JPEG: EXIF-less resolution guessed, 3° skew undone', async () => {
    const r = await ocrImage(readFileSync(PHOTO));
    const p = r.pages[0];
    expect({ width: p.width, height: p.height }).toEqual({ width: expected.photo.width, height: expected.photo.height });
    expect(p.dpi).toBe(150);
    expect(Math.abs(p.skewDegrees - expected.photo.skewDegrees)).toBeLessThanOrEqual(0.2);
    const text = nfc(p.text);
    expect(text).toContain(expected.title);
    expect(text).toContain('05/QĐ-UBND');
    const num = word(p, /05\/QĐ-UBND/);
    expect(num.x + num.w / 2).toBeLessThan(p.width / 2);
    expect(num.y + num.h / 2).toBeLessThan(p.height / 4);
  }, 120_000);

  it('a corrupt or truncated image is OcrBadImage, not a crash', async () => {
    const photo = readFileSync(PHOTO);
    for (const bytes of [Buffer.from('not an image at all'), photo.subarray(0, 40_000), Buffer.concat([photo.subarray(0, 2000), Buffer.alloc(50_000, 0x5a)])]) {
      const err = await ocrImage(bytes).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OcrBadImage);
      expect(err).toMatchObject({ code: 'ocr-bad-image', permanent: true });
    }
  });
});

describe('abort and time budget', () => {
  const pids: number[] = [];
  afterAll(() => {
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  // Neither test times the machine: the abort and the budget are fired at a chosen step (a child
  // just started), and what is checked is the error and that no process is left.
  it("the caller's abort kills the running tesseract, and the call settles once it is gone", async () => {
    const ctl = new AbortController();
    let tesseractPid = 0;
    const err = await ocrPdf(SCAN, {
      signal: ctl.signal,
      onSpawn: ({ pid, tool }) => {
        pids.push(pid);
        if (tool !== 'tesseract' || tesseractPid) return;
        tesseractPid = pid;
        setImmediate(() => ctl.abort());
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrAborted);
    expect(err).toMatchObject({ code: 'ocr-aborted', permanent: false });
    expect(tesseractPid).toBeGreaterThan(0);
    expect(alive(tesseractPid)).toBe(false);
  }, 60_000);

  /** OCR of the scan with its budget expired as soon as `at` starts; what was started, and when the budget expired. */
  async function expireAt(at: string, tmpDir: string) {
    let expire: (() => void) | null = null;
    let asked = 0;
    let cancelled = false;
    const started: Array<{ pid: number; tool: string; afterExpiry: boolean }> = [];
    let expired = false;
    const err = await ocrPdf(SCAN, {
      tmpDir,
      timeBudgetMs: 90_000,
      budgetTimer: (ms, fire) => {
        asked = ms;
        expire = fire;
        return () => (cancelled = true);
      },
      onSpawn: ({ pid, tool }) => {
        pids.push(pid);
        started.push({ pid, tool: path.basename(tool), afterExpiry: expired });
        if (path.basename(tool) === at && !expired)
          setImmediate(() => {
            expired = true;
            expire?.();
          });
      },
    }).catch((e: unknown) => e);
    return { err, asked, cancelled, started };
  }

  it('the per-document budget, expiring while tesseract reads, kills it and leaves nothing running', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-budget-'));
    try {
      const { err, asked, cancelled, started } = await expireAt('tesseract', tmp);
      expect(asked).toBe(90_000);
      expect(err).toBeInstanceOf(OcrTimeout);
      expect(err).toMatchObject({ code: 'ocr-timeout', permanent: true });
      expect(started.filter((s) => s.tool === 'tesseract')).toHaveLength(1);
      // Nothing started once the budget was spent, every child gone, the timer stopped, the work folder removed.
      expect(started.filter((s) => s.afterExpiry)).toEqual([]);
      for (const s of started) expect(alive(s.pid)).toBe(false);
      expect(cancelled).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  it('the budget expiring while pdftoppm renders stops the page there: no tesseract is started', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-budget-'));
    try {
      const { err, started } = await expireAt('pdftoppm', tmp);
      expect(err).toBeInstanceOf(OcrTimeout);
      expect(started.map((s) => s.tool)).toContain('pdftoppm');
      expect(started.map((s) => s.tool)).not.toContain('tesseract');
      for (const s of started) expect(alive(s.pid)).toBe(false);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  it('the budget runs on the clock by default', async () => {
    const err = await ocrPdf(SCAN, { timeBudgetMs: 1, onSpawn: ({ pid }) => pids.push(pid) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcrTimeout);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 60_000);
});
