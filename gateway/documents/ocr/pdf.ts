/**
 * What poppler says about a PDF: its pages and their sizes (pdfinfo), the text layer of each page
 * (pdftotext: pages end with a form feed), the images drawn on each page and the share of the page
 * they cover (pdfimages -list) — and so which pages need OCR.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OcrBadPdf } from './errors.ts';
import { fixLegacyEncoding } from '../legacy-encoding.ts';
import type { OcrTools } from './probe.ts';
import { textQuality } from './text-quality.ts';
import { runTool, type RunOptions } from './run.ts';

export interface PdfPageInfo {
  /** 1-based. */
  page: number;
  /** Size in points (1/72 in), before /Rotate. */
  widthPt: number;
  heightPt: number;
  rotate: number;
}

export interface PdfInfo {
  pages: number;
  encrypted: boolean;
  /** The first `maxPages` pages. */
  sizes: PdfPageInfo[];
}

type ToolRun = Pick<RunOptions, 'signal' | 'onSpawn'> & { tools?: OcrTools };

function badPdf(tool: string, stderr: string): OcrBadPdf {
  const detail = stderr.trim().split('\n').slice(-3).join('; ').slice(0, 300);
  return new OcrBadPdf(`không đọc được tệp PDF — ${tool} cannot read the PDF${detail ? `: ${detail}` : ''}`);
}

export async function pdfInfo(file: string, maxPages: number, opts: ToolRun = {}): Promise<PdfInfo> {
  const tool = opts.tools?.pdfinfo ?? 'pdfinfo';
  const r = await runTool(tool, ['-f', '1', '-l', String(Math.max(1, maxPages)), file], {
    env: opts.tools?.env,
    signal: opts.signal,
    onSpawn: opts.onSpawn,
    maxStdout: 4 * 1024 * 1024,
  });
  const out = r.stdout.toString('utf8');
  const pagesMatch = /^Pages:\s+(\d+)/m.exec(out);
  if (r.code !== 0 || !pagesMatch) throw badPdf('pdfinfo', r.stderr);
  const sizes = new Map<number, PdfPageInfo>();
  for (const m of out.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/gm))
    sizes.set(Number(m[1]), { page: Number(m[1]), widthPt: Number(m[2]), heightPt: Number(m[3]), rotate: 0 });
  for (const m of out.matchAll(/^Page\s+(\d+)\s+rot:\s+(-?\d+)/gm)) {
    const s = sizes.get(Number(m[1]));
    if (s) s.rotate = ((Number(m[2]) % 360) + 360) % 360;
  }
  return { pages: Number(pagesMatch[1]), encrypted: /^Encrypted:\s+yes/m.test(out), sizes: [...sizes.values()].sort((a, b) => a.page - b.page) };
}

export interface PageTextLayer {
  page: number;
  /** Letters and digits in the page's text layer (pdftotext), not counting U+FFFD or private-use characters. */
  chars: number;
  /** Share of the page's area covered by images (0–1; several strips of a scan add up). */
  imageCoverage: number;
  /** The largest image on the page, in pixels, with its resolution as drawn (ppi). */
  largestImage?: { width: number; height: number; ppi: number };
  needsOcr: boolean;
  /** Why, when it does: "no-text", "tiny-text" or "broken-text" (garbage: text-quality.ts), with a page-size image. */
  reason?: 'no-text' | 'tiny-text' | 'broken-text';
}

export interface PagesNeedingOcrOptions extends ToolRun {
  /** Pages looked at (the first ones). Default 200. */
  maxPages?: number;
  /** A page with fewer usable characters than this counts as having no text layer. Default 100. */
  minChars?: number;
  /** …when images cover at least this share of it. Default 0.5. */
  minImageCoverage?: number;
}

/** Counts letters and digits, not U+FFFD and not private-use code points (fonts without a ToUnicode map). */
export function usableChars(text: string): number {
  let n = 0;
  for (const ch of text) if (/[\p{L}\p{N}]/u.test(ch) && ch !== '\uFFFD' && !/\p{Co}/u.test(ch)) n++;
  return n;
}

/**
 * Which pages of a PDF file have no usable text layer (none, a few words, or garbage) while an
 * image fills them: a scan or a photo of paper. A page with neither text nor a large image (blank, or text drawn as vector
 * outlines) is not flagged. The thresholds leave room for the few words a signing tool stamps over
 * a scanned page ("Ký bởi: …, Thời gian ký: …"), which make such a page no less a scan.
 */
export async function pagesNeedingOcr(input: string | Uint8Array, opts: PagesNeedingOcrOptions = {}): Promise<PageTextLayer[]> {
  if (typeof input === 'string') return pagesOf(input, opts);
  const dir = await mkdtemp(path.join(tmpdir(), 'vanthu-ocr-'));
  try {
    const file = path.join(dir, 'input.pdf');
    await writeFile(file, input);
    return await pagesOf(file, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

async function pagesOf(file: string, opts: PagesNeedingOcrOptions): Promise<PageTextLayer[]> {
  const maxPages = opts.maxPages ?? 200;
  const minChars = opts.minChars ?? 100;
  const minCoverage = opts.minImageCoverage ?? 0.5;
  const run = { env: opts.tools?.env, signal: opts.signal, onSpawn: opts.onSpawn };
  // The three tools run at once (docs/ocr.md, "Which pages need OCR"): pdftotext and pdfimages stop
  // at the document's last page themselves, so neither waits for pdfinfo's page count.
  const upTo = String(Math.max(1, maxPages));
  const [infoRun, textRun, listRun] = await Promise.allSettled([
    pdfInfo(file, maxPages, opts),
    runTool(opts.tools?.pdftotext ?? 'pdftotext', ['-q', '-f', '1', '-l', upTo, '-enc', 'UTF-8', file, '-'], { ...run, maxStdout: 64 * 1024 * 1024 }),
    runTool(opts.tools?.pdfimages ?? 'pdfimages', ['-list', '-f', '1', '-l', upTo, file], { ...run, maxStdout: 16 * 1024 * 1024 }),
  ]);
  // Failures in the order the tools ran in one after another: pdfinfo's first.
  const info = settled(infoRun);
  const last = Math.min(info.pages, maxPages);
  if (last < 1) return [];
  const text = settled(textRun);
  if (text.code !== 0) throw badPdf('pdftotext', text.stderr);
  const pageTexts = text.stdout.toString('utf8').split('\f');
  const list = settled(listRun);
  if (list.code !== 0) throw badPdf('pdfimages', list.stderr);
  const coverage = new Map<number, number>();
  const largest = new Map<number, { width: number; height: number; ppi: number }>();
  for (const row of list.stdout.toString('utf8').split('\n')) {
    // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    const f = row.trim().split(/\s+/);
    if (f.length < 14 || !/^\d+$/.test(f[0]) || f[2] !== 'image') continue;
    const page = Number(f[0]);
    const width = Number(f[3]);
    const height = Number(f[4]);
    const xppi = Number(f[12]);
    const yppi = Number(f[13]);
    const size = info.sizes.find((s) => s.page === page);
    if (!size || !(xppi > 0) || !(yppi > 0)) continue;
    const area = ((width / xppi) * 72 * (height / yppi) * 72) / (size.widthPt * size.heightPt);
    coverage.set(page, (coverage.get(page) ?? 0) + area);
    const prev = largest.get(page);
    if (!prev || width * height > prev.width * prev.height) largest.set(page, { width, height, ppi: Math.round(Math.min(xppi, yppi)) });
  }
  const result: PageTextLayer[] = [];
  for (let page = 1; page <= last; page++) {
    const pageText = pageTexts[page - 1] ?? '';
    const chars = usableChars(pageText);
    const imageCoverage = Math.min(1, Math.round((coverage.get(page) ?? 0) * 1000) / 1000);
    // A scan whose text layer is garbage (its scanner's OCR without diacritics, look-alike glyphs) is read again.
    const broken = chars >= minChars && imageCoverage >= minCoverage && textQuality(fixLegacyEncoding(pageText).text).broken;
    const needsOcr = (chars < minChars || broken) && imageCoverage >= minCoverage;
    const entry: PageTextLayer = { page, chars, imageCoverage, needsOcr };
    const big = largest.get(page);
    if (big) entry.largestImage = big;
    if (needsOcr) entry.reason = broken ? 'broken-text' : chars === 0 ? 'no-text' : 'tiny-text';
    result.push(entry);
  }
  return result;
}
