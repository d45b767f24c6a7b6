/**
 * `vanthu ocr FILE`: reads a scanned PDF or a photo of paper with the gateway's OCR engine
 * (gateway/documents/ocr, docs/ocr.md) without a running gateway. Progress per page on stderr; the
 * text on stdout, or with --json the pages with their words, boxes and confidence. Exit 0 when read,
 * 2 for a usage error or a file that cannot be read (not found, not an image, damaged PDF), 1 when
 * OCR cannot run here (tesseract, tesseract-ocr-vie or poppler missing) or failed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';

const USAGE = 'vanthu ocr <file.pdf|.jpg|.png|.tif> [--json] [--lang vie] [--dpi N] [--max-pages N] [--pdf OUT.pdf]';

export const command: Command = {
  summary: 'read a scanned PDF or a photo of a document with OCR (tesseract, Vietnamese) and print its text',
  help: {
    vi: 'đọc bản quét PDF hoặc ảnh chụp văn bản bằng OCR (tesseract, tiếng Việt) và in văn bản; tiến độ từng trang ở stderr',
    en: 'read a scanned PDF or a photo of a document with OCR (tesseract, Vietnamese) and print its text; per-page progress on stderr',
    usage: [USAGE],
    options: [
      ['--json', 'in JSON: từng trang với các từ, khung và độ tin cậy', 'print JSON: each page with its words, boxes and confidence'],
      ['--lang L', 'ngôn ngữ tesseract, ví dụ vie hoặc vie+eng (mặc định vie)', 'tesseract languages, e.g. vie or vie+eng (default vie)'],
      ['--dpi N', 'độ phân giải dựng trang PDF (mặc định 300)', 'resolution PDF pages are rendered at (default 300)'],
      ['--max-pages N', 'số trang đọc tối đa (mặc định 20)', 'pages read at most (default 20)'],
      [
        '--pdf OUT',
        'ghi bản PDF tìm kiếm được (bản quét với lớp chữ OCR) vào OUT',
        'write the searchable PDF (the scan with the OCR text laid over it) to OUT',
      ],
    ],
    examples: ['vanthu ocr tests/fixtures/ocr/decision-scan.pdf', 'vanthu ocr --json tests/fixtures/ocr/decision-photo.jpg > photo.json'],
  },
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        json: { type: 'boolean', default: false },
        lang: { type: 'string', default: 'vie' },
        dpi: { type: 'string' },
        'max-pages': { type: 'string' },
        pdf: { type: 'string' },
      },
      USAGE,
    );
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError(`one file expected\nUsage: ${USAGE}`);
    const dpi = values.dpi === undefined ? undefined : Number(values.dpi);
    if (dpi !== undefined && !(Number.isInteger(dpi) && dpi >= 70 && dpi <= 600)) throw new UsageError(`--dpi: an integer from 70 to 600\nUsage: ${USAGE}`);
    const maxPages = values['max-pages'] === undefined ? undefined : Number(values['max-pages']);
    if (maxPages !== undefined && !(Number.isInteger(maxPages) && maxPages >= 1)) throw new UsageError(`--max-pages: a positive integer\nUsage: ${USAGE}`);
    const lang = values.lang.split(/[+,]/).filter(Boolean);
    if (!lang.length || lang.some((l) => !/^[A-Za-z0-9_]+$/.test(l)))
      throw new UsageError(`--lang: tesseract language names, e.g. vie or vie+eng\nUsage: ${USAGE}`);

    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      process.stderr.write(`vanthu ocr: không đọc được tệp — cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 2;
    }
    const ocr = await import('../../documents/ocr/index.ts');
    const isPdf = bytes.subarray(0, 1024).includes('%PDF-');
    const started = Date.now();
    const onPage = (p: { page: number; index: number; total: number }) =>
      process.stderr.write(`trang ${p.index}/${p.total} (page ${p.page}) … ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const opts = { lang, dpi, maxPages, onPage, searchable: values.pdf !== undefined };
    let result: Awaited<ReturnType<typeof ocr.ocrPdf>>;
    try {
      result = isPdf ? await ocr.ocrPdf(bytes, opts) : await ocr.ocrImage(bytes, opts);
    } catch (err) {
      const bad = err instanceof ocr.OcrBadImage || err instanceof ocr.OcrBadPdf || err instanceof ocr.OcrTooLarge;
      const code = err instanceof ocr.OcrUnavailable || bad || err instanceof ocr.OcrTimeout || err instanceof ocr.OcrEngineError ? `${err.code}: ` : '';
      process.stderr.write(`vanthu ocr: ${file}: ${code}${(err as Error).message}\n`);
      return bad ? 2 : 1;
    }
    if (values.pdf !== undefined) {
      try {
        const copy = isPdf ? await ocr.searchablePdf(bytes, result) : await ocr.searchablePdfOfImage(bytes, result);
        await writeFile(values.pdf, copy.bytes);
        process.stderr.write(`PDF tìm kiếm được (searchable PDF): ${values.pdf}, lớp chữ trên trang (text on pages) ${copy.pagesWithText.join(', ') || '—'}\n`);
      } catch (err) {
        process.stderr.write(`vanthu ocr: không ghi được ${values.pdf} — cannot write the searchable PDF: ${(err as Error).message}\n`);
        return 1;
      }
      for (const p of result.pages) delete p.textPdf;
    }
    const confidence = ocr.meanConfidence(result.pages.map((p) => ({ words: ocr.wordConfidences(p) })));
    process.stderr.write(
      `xong (done): ${result.pages.length} trang (pages) of ${result.pageCount}${result.truncated ? ' (truncated)' : ''}, ` +
        `độ tin cậy (confidence) ${confidence}%, ${(result.ms / 1000).toFixed(1)} s, ${result.engine}\n`,
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ file: basename(file), kind: isPdf ? 'pdf' : 'image', confidence, ...result }, null, 2)}\n`);
    } else {
      process.stdout.write(`${result.pages.map((p) => p.text).join('\n\f\n')}\n`);
    }
    return 0;
  },
};
